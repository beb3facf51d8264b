-- Token and cost totals per UTC day of transcript_requests as ccusage totals them: per model
-- (named as ccusage names it, fast mode as '<model>-fast') and, in the row whose name is
-- {day_total}, per day. <synthetic> API-error entries count in their day but in no model.
SELECT
    toString(toDate(timestamp, 'UTC')) AS day,
    if(grouping(name) = 1, {day_total:String}, name) AS model_name,
    sum(input_tokens),
    sum(output_tokens),
    sum(cache_creation_tokens),
    sum(cache_read_tokens),
    sum(ifNull(cost_usd, 0))
FROM (
    SELECT *, concat(model, if(speed = 'fast', '-fast', '')) AS name FROM transcript_requests
)
GROUP BY GROUPING SETS ((day), (day, name))
HAVING grouping(name) = 1 OR name NOT IN ('', '-fast', '<synthetic>', '<synthetic>-fast')

-- Token and cost totals per UTC day and model of transcript_requests, models named as ccusage
-- names them (fast mode as '<model>-fast'); <synthetic> API-error entries count in no model.
SELECT
    toString(toDate(timestamp, 'UTC')) AS day,
    concat(model, if(speed = 'fast', '-fast', '')) AS name,
    sum(input_tokens),
    sum(output_tokens),
    sum(cache_creation_tokens),
    sum(cache_read_tokens),
    sum(ifNull(cost_usd, 0))
FROM transcript_requests
WHERE model NOT IN ('', '<synthetic>')
GROUP BY day, name

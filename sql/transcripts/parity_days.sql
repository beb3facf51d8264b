-- Token and cost totals per UTC day of transcript_requests, as ccusage totals a day: every
-- request counts, <synthetic> API-error entries included.
SELECT
    toString(toDate(timestamp, 'UTC')) AS day,
    sum(input_tokens),
    sum(output_tokens),
    sum(cache_creation_tokens),
    sum(cache_read_tokens),
    sum(ifNull(cost_usd, 0))
FROM transcript_requests
GROUP BY day

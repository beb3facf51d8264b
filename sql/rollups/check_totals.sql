-- (rollup.measure, rollup total, usage_requests total) for every additive measure.
WITH u AS (
    SELECT
        count() AS requests,
        sum(total_tokens) AS tokens,
        sum(cost_usd) AS cost,
        countIf(session_id != '') AS session_requests,
        sumIf(total_tokens, session_id != '') AS session_tokens,
        sumIf(total_tokens, model != '<synthetic>' AND entries > 0) AS block_tokens,
        sumIf(cost_usd, model != '<synthetic>' AND entries > 0) AS block_cost
    FROM usage_requests
)
SELECT 'usage_daily.requests', toFloat64((SELECT sum(requests) FROM usage_daily)), toFloat64(u.requests) FROM u
UNION ALL SELECT 'usage_daily.tokens', toFloat64((SELECT sum(total_tokens) FROM usage_daily)), toFloat64(u.tokens) FROM u
UNION ALL SELECT 'usage_daily.cost_usd', (SELECT sum(cost_usd) FROM usage_daily), u.cost FROM u
UNION ALL SELECT 'usage_coverage.requests', toFloat64((SELECT sum(requests) FROM usage_coverage)), toFloat64(u.requests) FROM u
UNION ALL SELECT 'session_days.api_requests', toFloat64((SELECT sum(api_requests) FROM session_days)), toFloat64(u.session_requests) FROM u
UNION ALL SELECT 'session_days.tokens', toFloat64((SELECT sum(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) FROM session_days)), toFloat64(u.session_tokens) FROM u
UNION ALL SELECT 'billing_blocks.tokens', toFloat64((SELECT sum(total_tokens) FROM billing_blocks)), toFloat64(u.block_tokens) FROM u
UNION ALL SELECT 'billing_blocks.cost_usd', (SELECT sum(cost_usd) FROM billing_blocks), u.block_cost FROM u
UNION ALL SELECT 'api_health_daily.requests', toFloat64((SELECT sum(requests) FROM api_health_daily)), toFloat64((SELECT count() FROM usage_requests WHERE model != '<synthetic>')) FROM u

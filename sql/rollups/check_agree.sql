-- Requests in both sources: how many differ in tokens, and in cost beyond {tol} (relative).
WITH
    t AS (
        SELECT request_id, any(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) AS tokens,
               any(cost_usd) AS cost
        FROM cc_api_requests WHERE request_id != '' GROUP BY request_id
    ),
    r AS (
        SELECT request_id, sum(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) AS tokens,
               sum(ifNull(cost_usd, 0)) AS cost, countIf(cost_usd IS NULL) AS unpriced
        FROM rollup_transcript_requests WHERE request_id != '' GROUP BY request_id
    )
SELECT
    countIf(t.tokens != r.tokens),
    countIf(r.unpriced = 0 AND abs(t.cost - r.cost) > {tol:Float64} * greatest(abs(t.cost), abs(r.cost), 1e-9)),
    count()
FROM t INNER JOIN r ON t.request_id = r.request_id

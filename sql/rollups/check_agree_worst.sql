-- The requests whose two sources disagree most (tokens first, then relative cost).
WITH
    t AS (
        SELECT request_id, any(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) AS tokens,
               any(cost_usd) AS cost
        FROM cc_api_requests WHERE request_id != '' GROUP BY request_id
    ),
    r AS (
        SELECT request_id, sum(input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens) AS tokens,
               sum(ifNull(cost_usd, 0)) AS cost
        FROM rollup_transcript_requests WHERE request_id != '' GROUP BY request_id
    )
SELECT t.request_id, t.tokens, r.tokens, t.cost, r.cost
FROM t INNER JOIN r ON t.request_id = r.request_id
WHERE t.tokens != r.tokens OR abs(t.cost - r.cost) > 0
ORDER BY t.tokens != r.tokens DESC, abs(t.cost - r.cost) / greatest(abs(t.cost), abs(r.cost), 1e-9) DESC
LIMIT {n:UInt32}

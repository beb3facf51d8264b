-- Every request both sources hold, side by side: telemetry's tokens and reported cost against
-- the transcript's tokens and priced cost (transcript_unpriced counts its lines without a
-- price). What the sources_agree check reads.
CREATE OR REPLACE VIEW request_source_pairs AS
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
    t.request_id AS request_id,
    t.tokens AS telemetry_tokens,
    r.tokens AS transcript_tokens,
    t.cost AS telemetry_cost_usd,
    r.cost AS transcript_cost_usd,
    r.unpriced AS transcript_unpriced
FROM t INNER JOIN r ON t.request_id = r.request_id

-- What the pipeline publishes for the served dashboard besides the rollup tables themselves:
-- two views of usage_requests, each after a "-- name:" line. A served page reads them from
-- Parquet files (embedded engine) or as subqueries of the live tables (ClickHouse server).

-- name: session_usage
-- One row per session, day and attribution: sessions counted and listed under any filter
-- without reading every request. session_key is the 128-bit hash of session_id that
-- uniqExact itself counts strings by: sessions are counted and grouped by a number, not a
-- string (and no window over every session: a filter on day still reaches usage_requests).
SELECT day, session_id, reinterpretAsUInt128(sipHash128(session_id)) AS session_key,
       model, user_id, user_email, team, department, cost_center, project, repo, branch, agent,
       skill, plugin, mcp_server, machine, provider,
       min(timestamp) AS first_seen, max(timestamp) AS last_seen, count() AS requests,
       sum(total_tokens) AS tokens, sum(cost_usd) AS cost_usd
FROM usage_requests
GROUP BY day, session_id, model, user_id, user_email, team, department, cost_center, project,
         repo, branch, agent, skill, plugin, mcp_server, machine, provider

-- name: session_requests
-- Every request with what a session's drill-down shows, ordered by session so a read of one
-- session skips the other row groups.
SELECT session_id, timestamp, day, model, agent, input_tokens, output_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens, cost_usd, duration_ms, ttft_ms, source
FROM usage_requests
ORDER BY session_id, timestamp

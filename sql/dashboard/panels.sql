-- The served dashboard's panels, one query each after a "-- name:" line, over the days
-- [{since}, {until}]. Where a query holds the marker /*filters*/ the page's filters follow it
-- as "AND <column> IN <values>" conditions, the column an Identifier parameter from an
-- allow-list and the values an Array(String) parameter; a query without it is not split by
-- attribution (the table has no such columns).

-- name: kpis
-- Totals of the period: every request counted once (usage_daily sums usage_requests).
SELECT sum(requests) AS requests, sum(total_tokens) AS tokens, sum(cost_usd) AS cost_usd,
       sum(cache_read_tokens)
         / greatest(1, sum(input_tokens + cache_read_tokens + cache_creation_tokens))
         AS cache_hit_ratio
FROM usage_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/

-- name: sessions_count
-- A session active on several days of the period is one session.
SELECT uniqExact(session_id) AS sessions
FROM session_usage
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/

-- name: over_time
-- Cost and tokens per day, split by the chosen attribution column.
SELECT day, toString({split:Identifier}) AS series, sum(cost_usd) AS cost_usd,
       sum(total_tokens) AS tokens
FROM usage_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY day, series
ORDER BY day, series

-- name: cache_by_day
-- Cache reads, writes and the share of input tokens read from the cache, per day.
SELECT day, sum(cache_read_tokens) AS cache_read, sum(cache_creation_tokens) AS cache_write,
       sum(input_tokens) AS input,
       sum(cache_read_tokens)
         / greatest(1, sum(input_tokens + cache_read_tokens + cache_creation_tokens)) AS ratio
FROM usage_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY day
ORDER BY day

-- name: cache_by_model
-- Cache reads per model: what they would have cost as plain input is priced per model.
SELECT model, sum(cache_read_tokens) AS cache_read
FROM usage_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY model

-- name: tools
-- Tool calls, success rate and latency (p50 weighted by calls, p95 the worst day's).
SELECT tool_name, n AS calls, ok / greatest(1, n) AS success_rate, w50 / greatest(1, n) AS p50_ms,
       p95 AS p95_ms
FROM (SELECT tool_name, sum(calls) AS n, sum(successes) AS ok,
             sum(ifNull(duration_p50_ms, 0) * calls) AS w50, max(duration_p95_ms) AS p95
      FROM tool_usage_daily
      WHERE day BETWEEN {since:Date} AND {until:Date}
      GROUP BY tool_name)
ORDER BY calls DESC
LIMIT 15

-- name: api_health
-- Requests, errors and latency per day (p50 weighted by timed requests, p95 the worst model's).
SELECT day, sum(requests) AS requests, sum(errors) AS errors,
       sum(ifNull(duration_p50_ms, 0) * timed_requests) / greatest(1, sum(timed_requests))
         AS p50_ms,
       max(duration_p95_ms) AS p95_ms
FROM api_health_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY day
ORDER BY day

-- name: errors_by_status
-- API errors of the period by HTTP status (or error kind).
SELECT status, sum(n) AS errors
FROM (SELECT arrayJoin(mapKeys(errors_by_status)) AS status, errors_by_status[status] AS n
      FROM api_health_daily
      WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/)
GROUP BY status
ORDER BY errors DESC
LIMIT 10

-- name: top_spenders
-- The users who spent most in the period.
SELECT user_id, any(user_email) AS email, sum(cost_usd) AS cost_usd,
       sum(requests) AS requests, sum(total_tokens) AS tokens
FROM usage_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY user_id
ORDER BY cost_usd DESC
LIMIT 10

-- name: coverage
-- Where each day's history comes from: telemetry, transcripts or both.
SELECT day, telemetry_requests, transcript_requests, both_requests,
       arrayStringConcat(sources, '+') AS sources
FROM usage_coverage
WHERE day BETWEEN {since:Date} AND {until:Date}
ORDER BY day

-- name: sessions
-- The period's latest sessions under the filters.
SELECT session_id, min(first_seen) AS start, max(last_seen) AS end, any(user_id) AS session_user,
       any(project) AS session_project, arrayStringConcat(groupUniqArray(model), ', ') AS models,
       sum(requests) AS requests, sum(tokens) AS tokens, sum(cost_usd) AS cost_usd
FROM session_usage
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY session_id
ORDER BY start DESC
LIMIT 100

-- name: filter_values
-- Values offered by the filter inputs (the most frequent first, 200 per column at most).
SELECT topK(200)(team) AS team, topK(200)(user_id) AS user_id, topK(200)(project) AS project,
       topK(200)(repo) AS repo, topK(200)(branch) AS branch, topK(200)(model) AS model,
       topK(200)(agent) AS agent, topK(200)(skill) AS skill, topK(200)(mcp_server) AS mcp_server,
       topK(200)(machine) AS machine
FROM usage_daily
WHERE day BETWEEN {since:Date} AND {until:Date}

-- name: data_range
-- The first and last day of usage (the default period ends on the last).
SELECT minOrNull(day) AS first_day, maxOrNull(day) AS last_day
FROM usage_daily

-- name: session_requests
-- One session's requests, in order.
SELECT timestamp, model, agent, input_tokens, output_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens, cost_usd, duration_ms, ttft_ms, source
FROM session_requests
WHERE session_id = {session:String}
ORDER BY timestamp
LIMIT 2000

-- name: session_days
-- One session's tools and errors per day.
SELECT day, api_requests, prompts, tool_calls, tool_failures, api_errors, cost_usd
FROM session_days
WHERE session_id = {session:String}
ORDER BY day

-- The served dashboard's panels, one query each after a "-- name:" line, over the days
-- [{since}, {until}]. Where a query holds the marker /*filters*/ the page's filters follow it
-- as "AND <column> IN <values>" conditions, the column an Identifier parameter from an
-- allow-list and the values an Array(String) parameter. A filter on a column the table does
-- not have, and every filter of a query without the marker, is not applied: the page names
-- those filters on the panel ("not filtered by ...").

-- name: kpis
-- Totals of the period (in_period) and of the previous period of the same length, from
-- {before}: every request counted once (usage_daily sums usage_requests).
SELECT day >= {since:Date} AS in_period, sum(requests) AS requests, sum(total_tokens) AS tokens,
       sum(cost_usd) AS cost_usd,
       sum(cache_read_tokens)
         / greatest(1, sum(input_tokens + cache_read_tokens + cache_creation_tokens))
         AS cache_hit_ratio
FROM usage_daily
WHERE day BETWEEN {before:Date} AND {until:Date} /*filters*/
GROUP BY in_period

-- name: sessions_count
-- Sessions of the period (in_period) and of the previous one: a session active on several
-- days of a period is one session of it.
SELECT day >= {since:Date} AS in_period, uniqExact(session_key) AS sessions
FROM session_usage
WHERE day BETWEEN {before:Date} AND {until:Date} /*filters*/
GROUP BY in_period

-- name: over_time
-- Cost and tokens per day, split by the chosen attribution column.
SELECT day, toString({split:Identifier}) AS series, sum(cost_usd) AS cost_usd,
       sum(total_tokens) AS tokens
FROM usage_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY day, series
ORDER BY day, series

-- name: daily
-- Per day: cache reads, writes and the share of input tokens read from the cache; and where
-- the day's requests come from, telemetry, transcripts or both (a request seen by both counts
-- in each column). Read from usage_daily, whose rows carry the attribution, so the filters
-- apply; a day with telemetry events but no request has no row here.
SELECT day, cache_read, cache_write, input,
       cache_read / greatest(1, input + cache_read + cache_write) AS ratio,
       tel + both AS telemetry_requests, tra + both AS transcript_requests,
       both AS both_requests,
       arrayStringConcat(arrayFilter(s -> s != '', [
           if(telemetry_requests > 0, 'telemetry', ''),
           if(transcript_requests > 0, 'transcripts', '')]), '+') AS sources
FROM (SELECT day, sum(cache_read_tokens) AS cache_read, sum(cache_creation_tokens) AS cache_write,
             sum(input_tokens) AS input, sum(telemetry_only_requests) AS tel,
             sum(transcript_only_requests) AS tra, sum(both_requests) AS both
      FROM usage_daily
      WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
      GROUP BY day)
ORDER BY day

-- name: cache_by_model
-- Cache reads per model: what they would have cost as plain input is priced per model.
SELECT model, sum(cache_read_tokens) AS cache_read
FROM usage_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY model

-- name: tools
-- Tool calls, success rate and latency (p50 weighted by calls, p95 the worst row's). A tool
-- call is attributed to its session's user, team, project, repo, branch, machine, ... of that
-- day (tool_usage_daily); it has no model, agent, skill, plugin or MCP server, so those
-- filters do not apply (the page says so on the panel).
SELECT tool_name, n AS calls, ok / greatest(1, n) AS success_rate, w50 / greatest(1, n) AS p50_ms,
       p95 AS p95_ms
FROM (SELECT tool_name, sum(calls) AS n, sum(successes) AS ok,
             sum(ifNull(duration_p50_ms, 0) * calls) AS w50, max(duration_p95_ms) AS p95
      FROM tool_usage_daily
      WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
      GROUP BY tool_name)
ORDER BY calls DESC, tool_name
LIMIT 15

-- name: api_health
-- Requests, errors and latency per day (p50 weighted by timed requests, p95 the worst
-- model's), and the day's errors by HTTP status (or error kind).
SELECT day, sum(requests) AS requests, sum(errors) AS errors,
       sum(ifNull(duration_p50_ms, 0) * timed_requests) / greatest(1, sum(timed_requests))
         AS p50_ms,
       max(duration_p95_ms) AS p95_ms, sumMap(errors_by_status) AS errors_by_status
FROM api_health_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY day
ORDER BY day

-- name: top_spenders
-- The users who spent most in the period.
SELECT user_id, any(user_email) AS email, sum(cost_usd) AS cost_usd,
       sum(requests) AS requests, sum(total_tokens) AS tokens
FROM usage_daily
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
GROUP BY user_id
ORDER BY cost_usd DESC
LIMIT 10

-- name: rate_limits
-- Claude Code's 5-hour and 7-day limits over the period, as the status line observed them
-- (rate_limit_observations): per window and time bucket (`bucket` seconds), the highest
-- used_percentage seen. The limits are the account's, not a team's or a model's: the table
-- has no attribution column and the filters do not apply (the page says so on the panel).
SELECT `window`, toStartOfInterval(observed_at, toIntervalSecond({bucket:UInt32})) AS at,
       max(used_percentage) AS used_percentage
FROM rate_limit_observations
WHERE observed_at >= toDateTime64({since:Date}, 3, 'UTC')
  AND observed_at < toDateTime64({until:Date} + 1, 3, 'UTC')
GROUP BY `window`, at
ORDER BY at, `window`

-- name: rate_limit_forecast
-- When each window's limit is reached at the current burn rate. The rule: a window starts at
-- 0% at its resets_at minus its length (five_hour: 5 hours, seven_day: 7 days); the burn rate
-- is the latest observation's used_percentage over the time from the window's start to that
-- observation (the rate of increase over the current window so far, in % per hour); the
-- limit (100%) is reached at observed_at + (100 - used_percentage) / rate. The page reads a
-- forecast at or after resets_at as "not before reset", a used_percentage of 100 or more as
-- reached, and an observation whose resets_at has passed as a window with no reading yet;
-- without a reset time (or a rate) there is no forecast.
SELECT w AS `window`, observed_at, used_percentage, resets_at,
       resets_at - toIntervalSecond(multiIf(w = 'five_hour', 5 * 3600,
                                            w = 'seven_day', 7 * 86400, NULL))
         AS window_start,
       dateDiff('millisecond', window_start, observed_at) AS elapsed_ms,
       if(elapsed_ms > 0, used_percentage / elapsed_ms * 3600000, NULL) AS pct_per_hour,
       if(pct_per_hour > 0,
          observed_at + toIntervalMillisecond(
              toInt64(greatest(0, 100 - used_percentage) / pct_per_hour * 3600000)),
          NULL) AS limit_at
FROM (SELECT `window` AS w, max(o.observed_at) AS observed_at,
             argMax(o.used_percentage, o.observed_at) AS used_percentage,
             argMax(o.resets_at, o.observed_at) AS resets_at
      FROM rate_limit_observations AS o
      GROUP BY w)
ORDER BY w

-- name: sessions
-- The period's latest sessions under the filters. The 100 latest starts are found on the
-- session keys alone; only those sessions are then described.
SELECT any(session_id) AS session_id, min(first_seen) AS start, max(last_seen) AS end,
       any(user_id) AS session_user, any(project) AS session_project,
       arrayStringConcat(groupUniqArray(model), ', ') AS models, sum(requests) AS requests,
       sum(tokens) AS tokens, sum(cost_usd) AS cost_usd
FROM session_usage
WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
  AND session_key IN (SELECT session_key
                     FROM session_usage
                     WHERE day BETWEEN {since:Date} AND {until:Date} /*filters*/
                     GROUP BY session_key
                     ORDER BY min(first_seen) DESC, session_key
                     LIMIT 100)
GROUP BY session_key
ORDER BY start DESC, session_key
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

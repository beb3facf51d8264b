-- The dashboard's queries, one per panel, each after a "-- name:" line. They read only the
-- rollup tables, over the days from {since}.

-- name: kpis
SELECT count() AS days, sum(requests) AS requests, sum(total_tokens) AS tokens,
       sum(cost_usd) AS cost_usd,
       sum(cache_read_tokens) / greatest(1, sum(input_tokens + cache_read_tokens + cache_creation_tokens)) AS cache_hit_ratio,
       (SELECT uniqExact(session_id) FROM session_days WHERE day >= {since:Date}) AS sessions,
       min(day) AS first_day, max(day) AS last_day
FROM (SELECT day, sum(requests) AS requests, sum(total_tokens) AS total_tokens, sum(cost_usd) AS cost_usd,
             sum(cache_read_tokens) AS cache_read_tokens, sum(input_tokens) AS input_tokens,
             sum(cache_creation_tokens) AS cache_creation_tokens
      FROM usage_daily WHERE day >= {since:Date} GROUP BY day)

-- name: cost_by_model
SELECT day, model, sum(cost_usd) AS cost_usd
FROM usage_daily WHERE day >= {since:Date} AND model != '<synthetic>'
GROUP BY day, model ORDER BY day, model

-- name: tokens_by_type
SELECT day, sum(input_tokens) AS input, sum(output_tokens) AS output,
       sum(cache_creation_tokens) AS cache_write, sum(cache_read_tokens) AS cache_read,
       sum(cache_read_tokens) / greatest(1, sum(input_tokens + cache_read_tokens + cache_creation_tokens)) AS cache_hit_ratio
FROM usage_daily WHERE day >= {since:Date}
GROUP BY day ORDER BY day

-- name: sessions_daily
SELECT day, count() AS sessions, sum(active_time_user_s) / 3600 AS active_user_h,
       sum(active_time_cli_s) / 3600 AS active_cli_h
FROM session_days WHERE day >= {since:Date}
GROUP BY day ORDER BY day

-- name: tools
SELECT tool_name, n AS calls, ok / greatest(1, n) AS success_rate, w50 / greatest(1, n) AS p50_ms,
       p95 AS p95_ms, yes AS accepts, no AS rejects
FROM (SELECT tool_name, sum(calls) AS n, sum(successes) AS ok,
             sum(ifNull(duration_p50_ms, 0) * calls) AS w50, max(duration_p95_ms) AS p95,
             sum(accepts) AS yes, sum(rejects) AS no
      FROM tool_usage_daily WHERE day >= {since:Date} GROUP BY tool_name)
ORDER BY calls DESC LIMIT 15

-- name: api_health
SELECT day, n AS requests, e AS errors, w50 / greatest(1, timed) AS p50_ms, p95 AS p95_ms,
       p99 AS p99_ms, f95 AS ttft_p95_ms
FROM (SELECT day, sum(requests) AS n, sum(errors) AS e, sum(timed_requests) AS timed,
             sum(ifNull(duration_p50_ms, 0) * timed_requests) AS w50, max(duration_p95_ms) AS p95,
             max(duration_p99_ms) AS p99, max(ttft_p95_ms) AS f95
      FROM api_health_daily WHERE day >= {since:Date} GROUP BY day)
ORDER BY day

-- name: errors_by_status
SELECT status, sum(n) AS errors FROM (
    SELECT arrayJoin(mapKeys(errors_by_status)) AS status,
           errors_by_status[status] AS n
    FROM api_health_daily WHERE day >= {since:Date}
) GROUP BY status ORDER BY errors DESC

-- name: blocks
SELECT user_id, start_time, entries, total_tokens, cost_usd, arrayStringConcat(models, ', ') AS models
FROM billing_blocks WHERE NOT is_gap AND day >= {since:Date}
ORDER BY start_time DESC LIMIT 20

-- name: projects
SELECT if(project = '', '(unknown)', project) AS project, sum(requests) AS requests,
       sum(total_tokens) AS tokens, sum(cost_usd) AS cost_usd
FROM usage_daily WHERE day >= {since:Date}
GROUP BY project ORDER BY cost_usd DESC LIMIT 10

-- name: coverage
SELECT day, telemetry_requests, transcript_requests, both_requests, arrayStringConcat(sources, '+') AS sources
FROM usage_coverage WHERE day >= {since:Date} ORDER BY day

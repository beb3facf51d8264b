-- Model x day: request latency and time to first token (telemetry requests), errors by
-- status code, retries exhausted and refusals from the error events.
INSERT INTO _stage_api_health_daily
WITH
    req AS (
        SELECT
            day, model,
            count() AS requests,
            countIf(duration_ms IS NOT NULL) AS timed_requests,
            quantilesExactIf(0.5, 0.95, 0.99)(duration_ms, duration_ms IS NOT NULL) AS d,
            quantilesExactIf(0.5, 0.95, 0.99)(ttft_ms, ttft_ms IS NOT NULL) AS f
        FROM usage_requests
        WHERE day IN {days:Array(Date)} AND model != '<synthetic>'
        GROUP BY day, model
    ),
    err_status AS (
        SELECT day, model, if(status_code = '', 'none', status_code) AS status, count() AS n
        FROM _rollup_events
        WHERE event_name = 'api_error'
        GROUP BY day, model, status
    ),
    err AS (
        SELECT day, model, sum(n) AS errors,
               CAST((groupArray(status), groupArray(n)), 'Map(String, UInt64)') AS by_status
        FROM err_status
        GROUP BY day, model
    ),
    other AS (
        SELECT day, model,
               countIf(event_name = 'api_retries_exhausted') AS retries_exhausted,
               countIf(event_name = 'api_refusal') AS refusals
        FROM _rollup_events
        WHERE event_name IN ('api_retries_exhausted', 'api_refusal')
        GROUP BY day, model
    ),
    keys AS (
        SELECT day, model FROM req
        UNION DISTINCT SELECT day, model FROM err
        UNION DISTINCT SELECT day, model FROM other
    )
SELECT
    k.day,
    k.model,
    ifNull(req.requests, 0),
    ifNull(req.timed_requests, 0),
    ifNull(err.errors, 0),
    ifNull(err.by_status, map()),
    ifNull(other.retries_exhausted, 0),
    ifNull(other.refusals, 0),
    if(ifNull(req.timed_requests, 0) = 0, NULL, req.d[1]),
    if(ifNull(req.timed_requests, 0) = 0, NULL, req.d[2]),
    if(ifNull(req.timed_requests, 0) = 0, NULL, req.d[3]),
    if(ifNull(length(req.f), 0) = 0 OR isNaN(req.f[1]), NULL, req.f[1]),
    if(ifNull(length(req.f), 0) = 0 OR isNaN(req.f[2]), NULL, req.f[2]),
    if(ifNull(length(req.f), 0) = 0 OR isNaN(req.f[3]), NULL, req.f[3])
FROM keys AS k
LEFT JOIN req ON req.day = k.day AND req.model = k.model
LEFT JOIN err ON err.day = k.day AND err.model = k.model
LEFT JOIN other ON other.day = k.day AND other.model = k.model
SETTINGS join_use_nulls = 1

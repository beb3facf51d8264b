-- Which sources hold each day: requests by source from usage_requests, plus raw telemetry
-- events and metric points (a day can have telemetry without API requests).
INSERT INTO _stage_usage_coverage
WITH
    toDate({lo:DateTime64(3, 'UTC')}) AS lo_day,
    toDate({hi:DateTime64(3, 'UTC')}) AS hi_day,
    req AS (
        SELECT
            day,
            count() AS requests,
            countIf(source != 'transcript') AS telemetry_requests,
            countIf(source != 'telemetry') AS transcript_requests,
            countIf(source = 'both') AS both_requests,
            countIf(source = 'telemetry') AS telemetry_only_requests,
            countIf(source = 'transcript') AS transcript_only_requests,
            min(timestamp) AS first_request,
            max(timestamp) AS last_request
        FROM usage_requests
        WHERE day IN {days:Array(Date)}
        GROUP BY day
    ),
    ev AS (
        SELECT toDate(timestamp) AS day, count() AS n
        FROM cc_events
        WHERE log_time >= toDateTime(lo_day, 'UTC') - INTERVAL 1 HOUR
          AND log_time <= toDateTime(hi_day, 'UTC') + INTERVAL 1 HOUR
          AND log_timestamp >= toDateTime64(lo_day, 9, 'UTC') - INTERVAL 1 HOUR
          AND log_timestamp < toDateTime64(hi_day, 9, 'UTC') + INTERVAL 1 HOUR
          AND toDate(timestamp) IN {days:Array(Date)}
        GROUP BY day
    ),
    mp AS (
        SELECT toDate(TimeUnix) AS day, count() AS n
        FROM otel_metrics_sum
        WHERE TimeUnix >= toDateTime64(lo_day, 9, 'UTC') AND TimeUnix < toDateTime64(hi_day, 9, 'UTC')
          AND toDate(TimeUnix) IN {days:Array(Date)}
        GROUP BY day
    )
SELECT
    d.day,
    ifNull(req.requests, 0),
    ifNull(req.telemetry_requests, 0),
    ifNull(req.transcript_requests, 0),
    ifNull(req.both_requests, 0),
    ifNull(req.telemetry_only_requests, 0),
    ifNull(req.transcript_only_requests, 0),
    ifNull(ev.n, 0) AS telemetry_events,
    ifNull(mp.n, 0) AS metric_points,
    req.first_request,
    req.last_request,
    arrayFilter(s -> s != '', [
        if(ifNull(req.telemetry_requests, 0) + telemetry_events + metric_points > 0, 'telemetry', ''),
        if(ifNull(req.transcript_requests, 0) > 0, 'transcripts', '')
    ]) AS sources
FROM (SELECT arrayJoin({days:Array(Date)}) AS day) AS d
LEFT JOIN req ON req.day = d.day
LEFT JOIN ev ON ev.day = d.day
LEFT JOIN mp ON mp.day = d.day
WHERE ifNull(req.requests, 0) + telemetry_events + metric_points > 0
SETTINGS join_use_nulls = 1

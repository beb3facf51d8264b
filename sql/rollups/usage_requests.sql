-- One row per request of the given days from both sources.
-- * Matched on request_id within a day either side, so a request logged just before
--   midnight by one source and just after by the other is still counted once.
-- * Telemetry wins for tokens, cost and timing; the transcript fills project (and the
--   session's project fills telemetry-only requests of a session that has transcripts).
-- * Several transcript messages of one request_id (an API-error line sharing it) are one row:
--   tokens and cost summed, model, timestamp and session taken from the largest message.
-- * Rows without a request_id cannot be matched; each stays its own row, keyed
--   'telemetry:<session>:<sequence>:<time>' or 'transcript:<session>:<message>:<time>'.
-- The day of a row is the day of its telemetry timestamp, else of its transcript timestamp.
INSERT INTO _stage_usage_requests
WITH
    toDate({lo:DateTime64(3, 'UTC')}) - 1 AS lo_day,
    toDate({hi:DateTime64(3, 'UTC')}) + 1 AS hi_day,
    tel_raw AS (
        SELECT
            timestamp, session_id, user_id, organization_id, user_email, terminal_type,
            app_version, event_sequence, model, request_id, input_tokens, output_tokens,
            cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, ttft_ms,
            query_source
        FROM cc_api_requests
        WHERE log_time >= toDateTime(lo_day, 'UTC') - INTERVAL 1 HOUR
          AND log_time <= toDateTime(hi_day, 'UTC') + INTERVAL 1 HOUR
          AND log_timestamp >= toDateTime64(lo_day, 9, 'UTC') - INTERVAL 1 HOUR
          AND log_timestamp < toDateTime64(hi_day, 9, 'UTC') + INTERVAL 1 HOUR
          AND toDate(timestamp) >= lo_day AND toDate(timestamp) < hi_day
    ),
    tel AS (
        SELECT * FROM tel_raw WHERE request_id != ''
        ORDER BY timestamp, event_sequence
        LIMIT 1 BY request_id
    ),
    tel_sessions AS (
        SELECT
            session_id,
            argMax(user_id, user_id != '') AS user_id,
            argMax(organization_id, organization_id != '') AS organization_id,
            argMax(user_email, user_email != '') AS user_email,
            argMax(terminal_type, terminal_type != '') AS terminal_type
        FROM tel_raw
        WHERE session_id != ''
        GROUP BY session_id
    ),
    tr_raw AS (
        SELECT
            *,
            input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens AS total,
            model != '<synthetic>' AS is_real,
            (is_real, total, timestamp) AS rank,
            cost_usd IS NULL AND total > 0 AS unpriced
        FROM rollup_transcript_requests
        WHERE day >= lo_day AND day < hi_day
    ),
    -- a session's project from its transcripts on any day, so a day rebuilt alone fills it
    -- as a full rebuild does
    tr_sessions AS (
        SELECT session_id, argMax(project, project != '') AS project
        FROM rollup_transcript_requests
        WHERE session_id IN (SELECT session_id FROM tel_raw WHERE session_id != '')
        GROUP BY session_id
    ),
    tr AS (
        SELECT
            request_id,
            argMax(timestamp, rank) AS timestamp,
            argMax(session_id, rank) AS session_id,
            argMax(project, rank) AS project,
            argMax(model, rank) AS model,
            argMax(version, rank) AS version,
            sum(input_tokens) AS input_tokens,
            sum(output_tokens) AS output_tokens,
            sum(cache_creation_tokens) AS cache_creation_tokens,
            sum(cache_read_tokens) AS cache_read_tokens,
            sum(ifNull(cost_usd, 0)) AS cost_usd,
            countIf(unpriced) = 0 AS cost_known,
            toUInt32(countIf(is_real)) AS entries
        FROM tr_raw
        WHERE request_id != ''
        GROUP BY request_id
    ),
    combined AS (
        SELECT
            if(t.request_id IS NOT NULL, 'telemetry', 'transcript') AS first_source,
            coalesce(t.timestamp, r.timestamp) AS timestamp,
            coalesce(t.request_id, r.request_id) AS request_id,
            coalesce(nullIf(t.session_id, ''), r.session_id, '') AS session_id,
            coalesce(nullIf(r.project, ''), '') AS project,
            coalesce(t.user_id, '') AS user_id,
            coalesce(t.organization_id, '') AS organization_id,
            coalesce(t.user_email, '') AS user_email,
            coalesce(t.terminal_type, '') AS terminal_type,
            coalesce(nullIf(t.model, ''), r.model, '') AS model,
            coalesce(t.input_tokens, r.input_tokens, 0) AS input_tokens,
            coalesce(t.output_tokens, r.output_tokens, 0) AS output_tokens,
            coalesce(t.cache_read_tokens, r.cache_read_tokens, 0) AS cache_read_tokens,
            coalesce(t.cache_creation_tokens, r.cache_creation_tokens, 0) AS cache_creation_tokens,
            coalesce(t.cost_usd, r.cost_usd, 0) AS cost_usd,
            t.request_id IS NOT NULL OR coalesce(r.cost_known, true) AS cost_known,
            t.duration_ms AS duration_ms,
            t.ttft_ms AS ttft_ms,
            coalesce(t.query_source, '') AS query_source,
            coalesce(nullIf(t.app_version, ''), r.version, '') AS app_version,
            multiIf(t.request_id IS NOT NULL AND r.request_id IS NOT NULL, 'both',
                    t.request_id IS NOT NULL, 'telemetry', 'transcript') AS source,
            if(r.request_id IS NOT NULL, greatest(r.entries, toUInt32(t.request_id IS NOT NULL)),
               toUInt32(1)) AS entries
        FROM tel AS t
        FULL OUTER JOIN tr AS r ON t.request_id = r.request_id
        UNION ALL
        SELECT
            'telemetry', timestamp, '', session_id, '', user_id, organization_id, user_email,
            terminal_type, model, input_tokens, output_tokens, cache_read_tokens,
            cache_creation_tokens, cost_usd, true, duration_ms, ttft_ms, query_source,
            app_version, 'telemetry', toUInt32(1)
        FROM tel_raw
        WHERE request_id = ''
        UNION ALL
        SELECT
            'transcript', timestamp, '', session_id, project, '', '', '', '', model,
            input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,
            ifNull(cost_usd, 0), cost_usd IS NOT NULL OR total = 0, NULL, NULL, '', version,
            'transcript', toUInt32(model != '<synthetic>')
        FROM tr_raw
        WHERE request_id = ''
    )
SELECT
    toDate(c.timestamp) AS day,
    c.timestamp,
    multiIf(
        c.request_id != '', c.request_id,
        c.first_source = 'telemetry',
        concat('telemetry:', c.session_id, ':', toString(cityHash64(c.timestamp, c.model, c.input_tokens, c.output_tokens)), ':', toString(c.timestamp)),
        concat('transcript:', c.session_id, ':', toString(cityHash64(c.timestamp, c.model, c.input_tokens, c.output_tokens)), ':', toString(c.timestamp))
    ) AS request_key,
    c.request_id,
    c.session_id,
    if(c.project != '', c.project, ifNull(ts.project, '')) AS project,
    if(c.user_id != '', c.user_id, ifNull(te.user_id, '')) AS user_id,
    if(c.organization_id != '', c.organization_id, ifNull(te.organization_id, '')) AS organization_id,
    if(c.user_email != '', c.user_email, ifNull(te.user_email, '')) AS user_email,
    if(c.terminal_type != '', c.terminal_type, ifNull(te.terminal_type, '')) AS terminal_type,
    c.model,
    c.input_tokens,
    c.output_tokens,
    c.cache_read_tokens,
    c.cache_creation_tokens,
    c.input_tokens + c.output_tokens + c.cache_read_tokens + c.cache_creation_tokens AS total_tokens,
    c.cost_usd,
    c.cost_known,
    c.duration_ms,
    c.ttft_ms,
    c.query_source,
    c.app_version,
    c.source,
    c.entries
FROM combined AS c
LEFT JOIN tr_sessions AS ts ON ts.session_id = c.session_id
LEFT JOIN tel_sessions AS te ON te.session_id = c.session_id
WHERE day IN {days:Array(Date)}
SETTINGS join_use_nulls = 1

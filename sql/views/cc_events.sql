-- Typed Claude Code views over the OTel tables. Queries and rollups use these instead of
-- reading attribute maps. Numbers may arrive as ints, doubles or strings ("83"); a value that
-- does not parse as a number reads as NULL (durations) or 0 (counts and cost).
-- cc_events: every Claude Code log event with its common attributes as columns, events of
-- names no typed view knows included (their attributes in `attributes`).
CREATE OR REPLACE VIEW cc_events AS
SELECT
    coalesce(
        parseDateTime64BestEffortOrNull(LogAttributes['event.timestamp'], 3, 'UTC'),
        toDateTime64(Timestamp, 3, 'UTC')
    ) AS timestamp,
    multiIf(LogAttributes['event.name'] != '', LogAttributes['event.name'],
            Body != '', replaceRegexpOne(Body, '^claude_code\\.', ''),
            EventName) AS event_name,
    LogAttributes['session.id'] AS session_id,
    LogAttributes['user.id'] AS user_id,
    LogAttributes['organization.id'] AS organization_id,
    LogAttributes['user.email'] AS user_email,
    LogAttributes['user.account_uuid'] AS user_account_uuid,
    LogAttributes['terminal.type'] AS terminal_type,
    LogAttributes['prompt.id'] AS prompt_id,
    toInt64OrNull(LogAttributes['event.sequence']) AS event_sequence,
    ServiceName AS service_name,
    ResourceAttributes['service.version'] AS app_version,
    ResourceAttributes AS resource_attributes,
    LogAttributes AS attributes,
    Timestamp AS log_timestamp,
    -- otel_logs' partition column: bounding a read by it reads only those days' partitions
    TimestampTime AS log_time,
    _file_key,
    _offset
FROM otel_logs
WHERE (ScopeName = 'com.anthropic.claude_code.events' OR startsWith(Body, 'claude_code.'))
  -- a record dated outside 2000..2099 is quarantined at ingestion, never counted
  AND timestamp BETWEEN toDateTime64('2000-01-01 00:00:00', 3, 'UTC')
                    AND toDateTime64('2099-12-31 23:59:59.999', 3, 'UTC');

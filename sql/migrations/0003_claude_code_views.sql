-- Typed Claude Code views over the OTel tables. Queries and rollups use these instead of
-- reading attribute maps. Numbers may arrive as ints, doubles or strings ("83"); a value that
-- does not parse as a number reads as NULL (durations) or 0 (counts and cost).

CREATE VIEW IF NOT EXISTS cc_events AS
SELECT
    coalesce(
        parseDateTime64BestEffortOrNull(LogAttributes['event.timestamp'], 3, 'UTC'),
        toDateTime64(Timestamp, 3, 'UTC')
    ) AS timestamp,
    if(LogAttributes['event.name'] != '', LogAttributes['event.name'],
       replaceRegexpOne(Body, '^claude_code\\.', '')) AS event_name,
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
WHERE ScopeName = 'com.anthropic.claude_code.events' OR startsWith(Body, 'claude_code.');

CREATE VIEW IF NOT EXISTS cc_api_requests AS
SELECT
    timestamp, session_id, user_id, organization_id, user_email, terminal_type, prompt_id,
    event_sequence, service_name, app_version, log_timestamp, log_time,
    attributes['model'] AS model,
    attributes['request_id'] AS request_id,
    attributes['client_request_id'] AS client_request_id,
    toUInt64(greatest(0, ifNull(toFloat64OrNull(attributes['input_tokens']), 0))) AS input_tokens,
    toUInt64(greatest(0, ifNull(toFloat64OrNull(attributes['output_tokens']), 0))) AS output_tokens,
    toUInt64(greatest(0, ifNull(toFloat64OrNull(attributes['cache_read_tokens']), 0))) AS cache_read_tokens,
    toUInt64(greatest(0, ifNull(toFloat64OrNull(attributes['cache_creation_tokens']), 0))) AS cache_creation_tokens,
    ifNull(toFloat64OrNull(attributes['cost_usd']), 0) AS cost_usd,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms,
    toFloat64OrNull(attributes['ttft_ms']) AS ttft_ms,
    attributes['speed'] AS speed,
    attributes['query_source'] AS query_source,
    attributes['effort'] AS effort,
    attributes['agent.name'] AS agent_name
FROM cc_events
WHERE event_name = 'api_request';

CREATE VIEW IF NOT EXISTS cc_api_errors AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version, event_name,
    attributes['model'] AS model,
    attributes['request_id'] AS request_id,
    attributes['error'] AS error,
    toUInt16OrNull(attributes['status_code']) AS status_code,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms,
    toUInt32OrNull(attributes['attempt']) AS attempt,
    toUInt32OrNull(attributes['total_attempts']) AS total_attempts,
    toFloat64OrNull(attributes['total_retry_duration_ms']) AS total_retry_duration_ms,
    attributes['query_source'] AS query_source
FROM cc_events
WHERE event_name IN ('api_error', 'api_retries_exhausted', 'api_refusal');

CREATE VIEW IF NOT EXISTS cc_tool_results AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['tool_name'] AS tool_name,
    attributes['tool_use_id'] AS tool_use_id,
    lower(attributes['success']) IN ('true', '1') AS success,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms,
    attributes['error_type'] AS error_type,
    attributes['decision_type'] AS decision_type,
    attributes['decision_source'] AS decision_source,
    toUInt64OrNull(attributes['tool_input_size_bytes']) AS tool_input_size_bytes,
    toUInt64OrNull(attributes['tool_result_size_bytes']) AS tool_result_size_bytes
FROM cc_events
WHERE event_name = 'tool_result';

CREATE VIEW IF NOT EXISTS cc_tool_decisions AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['tool_name'] AS tool_name,
    attributes['tool_use_id'] AS tool_use_id,
    attributes['decision'] AS decision,
    attributes['source'] AS source,
    attributes['tool_source'] AS tool_source
FROM cc_events
WHERE event_name = 'tool_decision';

-- Prompts without their text: only that one was sent, when, and how long it was.
CREATE VIEW IF NOT EXISTS cc_user_prompts AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    toUInt64OrNull(attributes['prompt_length']) AS prompt_length,
    attributes['command_name'] AS command_name,
    attributes['command_source'] AS command_source
FROM cc_events
WHERE event_name = 'user_prompt';

-- Claude Code counters as deltas whatever the exporter's temporality. Cumulative series
-- (AggregationTemporality = 2) are differenced per series; a new StartTimeUnix or a value
-- lower than the previous one is a counter reset, whose delta is the value itself.
CREATE VIEW IF NOT EXISTS cc_metric_deltas AS
SELECT
    TimeUnix AS time,
    StartTimeUnix AS start_time,
    MetricName AS metric_name,
    ServiceName AS service_name,
    Attributes AS attributes,
    ResourceAttributes AS resource_attributes,
    Attributes['session.id'] AS session_id,
    Attributes['user.id'] AS user_id,
    Attributes['organization.id'] AS organization_id,
    Attributes['type'] AS type,
    Attributes['model'] AS model,
    AggregationTemporality AS temporality,
    Value AS value,
    if(AggregationTemporality = 2,
       if(prev_time IS NOT NULL AND Value >= prev_value, Value - prev_value, Value),
       Value) AS delta
FROM (
    SELECT
        *,
        lagInFrame(toNullable(Value)) OVER series AS prev_value,
        lagInFrame(toNullable(TimeUnix)) OVER series AS prev_time
    FROM otel_metrics_sum
    WINDOW series AS (
        PARTITION BY ServiceName, MetricName, Attributes, ResourceAttributes, StartTimeUnix,
                     AggregationTemporality
        ORDER BY TimeUnix
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
);

-- One row per finished tool call: whether it succeeded, how long it took, sizes in bytes.
CREATE OR REPLACE VIEW cc_tool_results AS
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

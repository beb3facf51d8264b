-- One row per finished hook run: which hook on which event, outcome counts, time (never output).
CREATE OR REPLACE VIEW cc_hook_executions AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['hook_event'] AS hook_event,
    attributes['hook_name'] AS hook_name,
    attributes['hook_source'] AS hook_source,
    attributes['hook_type'] AS hook_type,
    if(attributes['managed_only'] = '', NULL, lower(attributes['managed_only']) IN ('true', '1')) AS managed_only,
    if(attributes['safe_mode'] = '', NULL, lower(attributes['safe_mode']) IN ('true', '1')) AS safe_mode,
    toUInt64OrNull(attributes['num_hooks']) AS num_hooks,
    toUInt64OrNull(attributes['num_success']) AS num_success,
    toUInt64OrNull(attributes['num_blocking']) AS num_blocking,
    toUInt64OrNull(attributes['num_non_blocking_error']) AS num_non_blocking_error,
    toUInt64OrNull(attributes['num_cancelled']) AS num_cancelled,
    toFloat64OrNull(attributes['total_duration_ms']) AS total_duration_ms
FROM cc_events
WHERE event_name = 'hook_execution_complete';

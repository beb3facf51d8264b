-- One row per finished sub-agent run: kind, models (and whether the model was swapped), totals.
CREATE OR REPLACE VIEW cc_subagent_completions AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['agent_type'] AS agent_type,
    if(attributes['agent.source'] != '', attributes['agent.source'], attributes['agent_source'])
        AS agent_source,
    if(attributes['agent_id'] != '', attributes['agent_id'], attributes['agent.id']) AS agent_id,
    attributes['model'] AS model,
    attributes['final_model'] AS final_model,
    if(attributes['model_swapped'] = '', NULL, lower(attributes['model_swapped']) IN ('true', '1')) AS model_swapped,
    if(attributes['is_async'] = '', NULL, lower(attributes['is_async']) IN ('true', '1')) AS is_async,
    if(attributes['is_built_in'] = '', NULL, lower(attributes['is_built_in']) IN ('true', '1')) AS is_built_in,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms,
    toUInt64OrNull(attributes['total_tokens']) AS total_tokens,
    toUInt64OrNull(attributes['total_tool_uses']) AS total_tool_uses
FROM cc_events
WHERE event_name = 'subagent_completed';

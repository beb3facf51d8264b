-- One row per permission decision on a tool call (accepted or rejected, and by what).
CREATE OR REPLACE VIEW cc_tool_decisions AS
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

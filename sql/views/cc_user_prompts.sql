-- Prompts without their text: only that one was sent, when, and how long it was.
CREATE OR REPLACE VIEW cc_user_prompts AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    toUInt64OrNull(attributes['prompt_length']) AS prompt_length,
    attributes['command_name'] AS command_name,
    attributes['command_source'] AS command_source
FROM cc_events
WHERE event_name = 'user_prompt';

-- One row per internal error of Claude Code: its class and code, never the message.
CREATE OR REPLACE VIEW cc_internal_errors AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['error_name'] AS error_name,
    attributes['error_code'] AS error_code
FROM cc_events
WHERE event_name = 'internal_error';

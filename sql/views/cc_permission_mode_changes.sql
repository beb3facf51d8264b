-- One row per permission mode change: from which mode to which.
CREATE OR REPLACE VIEW cc_permission_mode_changes AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['from_mode'] AS from_mode,
    attributes['to_mode'] AS to_mode
FROM cc_events
WHERE event_name = 'permission_mode_changed';

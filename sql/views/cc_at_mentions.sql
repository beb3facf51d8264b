-- One row per @-mention: its kind and whether it resolved, never the path.
CREATE OR REPLACE VIEW cc_at_mentions AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['mention_type'] AS mention_type,
    if(attributes['success'] = '', NULL, lower(attributes['success']) IN ('true', '1')) AS success
FROM cc_events
WHERE event_name = 'at_mention';

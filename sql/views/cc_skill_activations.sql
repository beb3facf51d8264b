-- One row per skill activated: its name and where it came from.
CREATE OR REPLACE VIEW cc_skill_activations AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    if(attributes['skill.name'] != '', attributes['skill.name'], attributes['skill_name'])
        AS skill_name,
    attributes['skill_source'] AS skill_source,
    if(attributes['plugin.name'] != '', attributes['plugin.name'], attributes['plugin_name'])
        AS plugin_name
FROM cc_events
WHERE event_name = 'skill_activated';

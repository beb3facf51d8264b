-- One row per plugin loaded: name, marketplace, scope, how it was enabled, parts.
CREATE OR REPLACE VIEW cc_plugin_loads AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    if(attributes['plugin.name'] != '', attributes['plugin.name'], attributes['plugin_name'])
        AS plugin_name,
    if(attributes['marketplace.name'] != '', attributes['marketplace.name'], attributes['marketplace_name'])
        AS marketplace_name,
    if(attributes['plugin.scope'] != '', attributes['plugin.scope'], attributes['plugin_scope'])
        AS plugin_scope,
    if(attributes['plugin.version'] != '', attributes['plugin.version'], attributes['plugin_version'])
        AS plugin_version,
    attributes['plugin_id_hash'] AS plugin_id_hash,
    attributes['enabled_via'] AS enabled_via,
    if(attributes['has_hooks'] = '', NULL, lower(attributes['has_hooks']) IN ('true', '1')) AS has_hooks,
    if(attributes['has_mcp'] = '', NULL, lower(attributes['has_mcp']) IN ('true', '1')) AS has_mcp
FROM cc_events
WHERE event_name = 'plugin_loaded';

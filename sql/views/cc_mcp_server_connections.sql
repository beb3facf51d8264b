-- One row per MCP server connection attempt: server, scope, transport, outcome.
CREATE OR REPLACE VIEW cc_mcp_server_connections AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    if(attributes['mcp_server.name'] != '', attributes['mcp_server.name'], attributes['mcp_server_name'])
        AS mcp_server_name,
    attributes['server_scope'] AS server_scope,
    attributes['transport_type'] AS transport_type,
    attributes['status'] AS status,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms
FROM cc_events
WHERE event_name = 'mcp_server_connection';

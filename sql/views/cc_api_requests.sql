-- One row per Claude Code API request event: tokens, cost and timings as numbers, and who,
-- where and what it is attributed to.
-- Names Claude Code spelled dotted in one version and underscored in another are read in
-- both spellings (the first non-empty wins). The 5-minute and 1-hour cache-write split is
-- NULL when the request did not report it.
-- Labels: the resource attributes users set through OTEL_RESOURCE_ATTRIBUTES (every resource
-- attribute but those the OpenTelemetry SDK sets), and the configured label keys
-- (telemetry_label_keys) found on the event itself. team, department and cost_center take
-- the first non-empty value of their keys, configured keys first, then the defaults
-- (team.id | team, department, cost_center | cost.center), on the resource, else on the event.
CREATE OR REPLACE VIEW cc_api_requests AS
WITH
    (SELECT groupArray(key) FROM telemetry_label_keys) AS configured_label_keys,
    arrayConcat(
        (SELECT groupArray(key) FROM
            (SELECT key FROM telemetry_label_keys WHERE feeds = 'team' ORDER BY rank)),
        ['team.id', 'team']) AS team_keys,
    arrayConcat(
        (SELECT groupArray(key) FROM
            (SELECT key FROM telemetry_label_keys WHERE feeds = 'department' ORDER BY rank)),
        ['department']) AS department_keys,
    arrayConcat(
        (SELECT groupArray(key) FROM
            (SELECT key FROM telemetry_label_keys WHERE feeds = 'cost_center' ORDER BY rank)),
        ['cost_center', 'cost.center']) AS cost_center_keys,
    arrayConcat(configured_label_keys, team_keys, department_keys, cost_center_keys)
        AS label_keys
SELECT
    timestamp, session_id, user_id, organization_id, user_email, terminal_type, prompt_id,
    event_sequence, service_name, app_version, log_timestamp, log_time,
    attributes['model'] AS model,
    attributes['request_id'] AS request_id,
    attributes['client_request_id'] AS client_request_id,
    toUInt64(greatest(0, ifNull(toFloat64OrNull(attributes['input_tokens']), 0))) AS input_tokens,
    toUInt64(greatest(0, ifNull(toFloat64OrNull(attributes['output_tokens']), 0))) AS output_tokens,
    toUInt64(greatest(0, ifNull(toFloat64OrNull(attributes['cache_read_tokens']), 0))) AS cache_read_tokens,
    toUInt64(greatest(0, ifNull(toFloat64OrNull(attributes['cache_creation_tokens']), 0))) AS cache_creation_tokens,
    CAST(if(toFloat64OrNull(attributes['cache_creation_5m_tokens']) IS NULL, NULL,
            greatest(0, toFloat64OrNull(attributes['cache_creation_5m_tokens'])))
         AS Nullable(UInt64)) AS cache_creation_5m_tokens,
    CAST(if(toFloat64OrNull(attributes['cache_creation_1h_tokens']) IS NULL, NULL,
            greatest(0, toFloat64OrNull(attributes['cache_creation_1h_tokens'])))
         AS Nullable(UInt64)) AS cache_creation_1h_tokens,
    ifNull(toFloat64OrNull(attributes['cost_usd']), 0) AS cost_usd,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms,
    toFloat64OrNull(attributes['ttft_ms']) AS ttft_ms,
    attributes['speed'] AS speed,
    attributes['query_source'] AS query_source,
    attributes['effort'] AS effort,
    if(attributes['agent.name'] != '', attributes['agent.name'], attributes['agent_name'])
        AS agent_name,
    if(attributes['agent_id'] != '', attributes['agent_id'], attributes['agent.id']) AS agent_id,
    if(attributes['skill.name'] != '', attributes['skill.name'], attributes['skill_name'])
        AS skill_name,
    if(attributes['plugin.name'] != '', attributes['plugin.name'], attributes['plugin_name'])
        AS plugin_name,
    if(attributes['marketplace.name'] != '', attributes['marketplace.name'],
       attributes['marketplace_name']) AS marketplace_name,
    if(attributes['mcp_server.name'] != '', attributes['mcp_server.name'],
       attributes['mcp_server_name']) AS mcp_server_name,
    if(attributes['mcp_tool.name'] != '', attributes['mcp_tool.name'],
       attributes['mcp_tool_name']) AS mcp_tool_name,
    if(attributes['anthropic.provider'] != '', attributes['anthropic.provider'],
       attributes['anthropic_provider']) AS provider,
    if(attributes['anthropic.custom_base_url'] != '', attributes['anthropic.custom_base_url'],
       attributes['anthropic_custom_base_url']) AS custom_base_url,
    if(attributes['message.uuid'] != '', attributes['message.uuid'], attributes['message_uuid'])
        AS message_uuid,
    user_account_uuid AS account_uuid,
    attributes['app.entrypoint'] AS entrypoint,
    resource_attributes['host.name'] AS host,
    mapUpdate(
        mapFilter((k, v) -> v != '' AND has(label_keys, k), attributes),
        mapFilter((k, v) -> v != '' AND NOT has(
            ['service.name', 'service.version', 'service.namespace', 'service.instance.id',
             'os.type', 'os.version', 'host.arch', 'host.name', 'telemetry.sdk.name',
             'telemetry.sdk.language', 'telemetry.sdk.version'], k), resource_attributes))
        AS labels,
    arrayFirst(v -> v != '', arrayMap(k -> if(resource_attributes[k] != '',
                                              resource_attributes[k], attributes[k]), team_keys))
        AS team,
    arrayFirst(v -> v != '', arrayMap(k -> if(resource_attributes[k] != '',
                                              resource_attributes[k], attributes[k]),
                                      department_keys)) AS department,
    arrayFirst(v -> v != '', arrayMap(k -> if(resource_attributes[k] != '',
                                              resource_attributes[k], attributes[k]),
                                      cost_center_keys)) AS cost_center
FROM cc_events
WHERE event_name = 'api_request';

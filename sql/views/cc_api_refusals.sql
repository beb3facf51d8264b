-- One row per refused API request: model, request, attempt and flags (never the category).
CREATE OR REPLACE VIEW cc_api_refusals AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['model'] AS model,
    attributes['request_id'] AS request_id,
    attributes['query_source'] AS query_source,
    attributes['speed'] AS speed,
    toUInt64OrNull(attributes['attempt']) AS attempt,
    toUInt64OrNull(attributes['server_fallback_hop']) AS server_fallback_hop,
    if(attributes['has_category'] = '', NULL, lower(attributes['has_category']) IN ('true', '1')) AS has_category,
    if(attributes['has_explanation'] = '', NULL, lower(attributes['has_explanation']) IN ('true', '1')) AS has_explanation
FROM cc_events
WHERE event_name = 'api_refusal';

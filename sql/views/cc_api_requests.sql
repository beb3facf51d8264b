-- One row per Claude Code API request event: tokens, cost and timings as numbers.
CREATE OR REPLACE VIEW cc_api_requests AS
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
    ifNull(toFloat64OrNull(attributes['cost_usd']), 0) AS cost_usd,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms,
    toFloat64OrNull(attributes['ttft_ms']) AS ttft_ms,
    attributes['speed'] AS speed,
    attributes['query_source'] AS query_source,
    attributes['effort'] AS effort,
    attributes['agent.name'] AS agent_name
FROM cc_events
WHERE event_name = 'api_request';

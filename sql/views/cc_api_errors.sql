-- Failed, exhausted and refused API requests, with status code and retry counts.
CREATE OR REPLACE VIEW cc_api_errors AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version, event_name,
    attributes['model'] AS model,
    attributes['request_id'] AS request_id,
    attributes['error'] AS error,
    toUInt16OrNull(attributes['status_code']) AS status_code,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms,
    toUInt32OrNull(attributes['attempt']) AS attempt,
    toUInt32OrNull(attributes['total_attempts']) AS total_attempts,
    toFloat64OrNull(attributes['total_retry_duration_ms']) AS total_retry_duration_ms,
    attributes['query_source'] AS query_source
FROM cc_events
WHERE event_name IN ('api_error', 'api_retries_exhausted', 'api_refusal');

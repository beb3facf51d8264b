-- One row per model response: model, request and message ids, length (never the text).
CREATE OR REPLACE VIEW cc_assistant_responses AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['model'] AS model,
    attributes['request_id'] AS request_id,
    if(attributes['message.uuid'] != '', attributes['message.uuid'], attributes['message_uuid'])
        AS message_uuid,
    attributes['query_source'] AS query_source,
    toUInt64OrNull(attributes['response_length']) AS response_length
FROM cc_events
WHERE event_name = 'assistant_response';

-- One row per context compaction: trigger, context tokens before and after, outcome.
CREATE OR REPLACE VIEW cc_compactions AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    attributes['trigger'] AS trigger,
    toUInt64OrNull(attributes['pre_tokens']) AS pre_tokens,
    toUInt64OrNull(attributes['post_tokens']) AS post_tokens,
    if(attributes['precompute_reuse'] = '', NULL, lower(attributes['precompute_reuse']) IN ('true', '1')) AS precompute_reuse,
    if(attributes['success'] = '', NULL, lower(attributes['success']) IN ('true', '1')) AS success,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms
FROM cc_events
WHERE event_name = 'compaction';

-- The batch's Claude Code events other than api_request, typed once for several rollups.
INSERT INTO _rollup_events
SELECT
    toDate(timestamp) AS day,
    timestamp,
    event_name,
    session_id,
    user_id,
    organization_id,
    attributes['model'] AS model,
    attributes['tool_name'] AS tool_name,
    lower(attributes['success']) IN ('true', '1') AS success,
    toFloat64OrNull(attributes['duration_ms']) AS duration_ms,
    attributes['decision'] AS decision,
    attributes['status_code'] AS status_code
FROM cc_events
WHERE log_time >= toDateTime({lo:DateTime64(3, 'UTC')}) - INTERVAL 1 HOUR
  AND log_time <= toDateTime({hi:DateTime64(3, 'UTC')}) + INTERVAL 1 HOUR
  AND log_timestamp >= {lo:DateTime64(3, 'UTC')} - INTERVAL 1 HOUR
  AND log_timestamp < {hi:DateTime64(3, 'UTC')} + INTERVAL 1 HOUR
  AND event_name IN ('user_prompt', 'tool_result', 'tool_decision', 'api_error',
                     'api_retries_exhausted', 'api_refusal')
  AND toDate(timestamp) IN {days:Array(Date)}

-- Days (next to the changed ones) holding rows whose request_id also appears on a changed
-- day, in any source or in usage_requests: they must be rebuilt with the changed days.
WITH
    ids AS (
        SELECT attributes['request_id'] AS request_id
        FROM cc_events
        WHERE log_time >= toDateTime({lo:Date}, 'UTC') - INTERVAL 1 HOUR
          AND log_time <= toDateTime({hi:Date}, 'UTC') + INTERVAL 1 HOUR
          AND log_timestamp >= toDateTime64({lo:Date}, 9, 'UTC') - INTERVAL 1 HOUR
          AND log_timestamp < toDateTime64({hi:Date}, 9, 'UTC') + INTERVAL 1 HOUR
          AND event_name = 'api_request'
          AND toDate(timestamp) IN {days:Array(Date)}
        UNION DISTINCT
        SELECT request_id FROM rollup_transcript_requests WHERE day IN {days:Array(Date)}
        UNION DISTINCT
        SELECT request_id FROM usage_requests WHERE day IN {days:Array(Date)}
    )
SELECT DISTINCT day FROM (
    SELECT toDate(timestamp) AS day
    FROM cc_events
    WHERE log_time >= toDateTime({lo:Date}, 'UTC') - INTERVAL 1 HOUR
      AND log_time <= toDateTime({hi:Date}, 'UTC') + INTERVAL 1 HOUR
      AND log_timestamp >= toDateTime64({lo:Date}, 9, 'UTC') - INTERVAL 1 HOUR
      AND log_timestamp < toDateTime64({hi:Date}, 9, 'UTC') + INTERVAL 1 HOUR
      AND event_name = 'api_request'
      AND attributes['request_id'] IN (SELECT request_id FROM ids WHERE request_id != '')
    UNION ALL
    SELECT day FROM rollup_transcript_requests
    WHERE day >= {lo:Date} AND day < {hi:Date}
      AND request_id IN (SELECT request_id FROM ids WHERE request_id != '')
    UNION ALL
    SELECT day FROM usage_requests
    WHERE day >= {lo:Date} AND day < {hi:Date}
      AND request_id IN (SELECT request_id FROM ids WHERE request_id != '')
)
WHERE day >= {lo:Date} AND day < {hi:Date}

-- Newest request in the sources (telemetry events, transcript snapshot) and in the rollups.
SELECT
    nullIf(greatest(
        ifNull((SELECT max(timestamp) FROM cc_events WHERE event_name = 'api_request'), toDateTime64(0, 3, 'UTC')),
        ifNull((SELECT max(timestamp) FROM rollup_transcript_requests), toDateTime64(0, 3, 'UTC'))
    ), toDateTime64(0, 3, 'UTC')),
    (SELECT maxOrNull(timestamp) FROM usage_requests)

-- One row per transcript retention sweep: transcripts deleted, files past the cutoff, period.
CREATE OR REPLACE VIEW cc_retention_sweeps AS
SELECT
    timestamp, session_id, user_id, organization_id, terminal_type, prompt_id, event_sequence,
    service_name, app_version,
    toUInt64OrNull(attributes['transcripts_deleted']) AS transcripts_deleted,
    toUInt64OrNull(attributes['files_past_cutoff']) AS files_past_cutoff,
    toFloat64OrNull(attributes['period_days']) AS period_days
FROM cc_events
WHERE event_name = 'retention_sweep';

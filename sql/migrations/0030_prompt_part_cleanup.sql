-- Outdated parts (the inputs of a finished merge) are deleted by a table's cleanup task once
-- they are older than old_parts_lifetime (8 minutes, kept: a merged part is not fsynced).
-- The task first runs cleanup_delay_period (30 s) after the engine opens, and an embedded
-- engine rarely lives that long: its processes are runs and commands of a few seconds. So
-- outdated parts stayed on disk indefinitely, and every process loaded them when it opened
-- the database. A one-second period lets any process that lives a second remove them.
-- Tables created by later migrations set it in their CREATE statement
-- (tests/test_schema.py checks every MergeTree table).
ALTER TABLE _pending_metric_lines MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE _stage_api_health_daily MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE _stage_billing_blocks MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE _stage_productivity_daily MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE _stage_rollup_transcript_requests MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE _stage_session_days MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE _stage_tool_usage_daily MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE _stage_usage_coverage MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE _stage_usage_daily MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE _stage_usage_requests MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE api_health_daily MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE billing_blocks MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE ingest_quarantine MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE otel_logs MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE otel_metrics_gauge MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE otel_metrics_histogram MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE otel_metrics_sum MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE otel_traces MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE productivity_daily MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE rollup_state MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE rollup_transcript_requests MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE schema_migrations MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE session_days MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE tool_usage_daily MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE transcript_entries MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE transcript_prices MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE usage_coverage MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE usage_daily MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
ALTER TABLE usage_requests MODIFY SETTING cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;

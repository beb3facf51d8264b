-- Before pending metric lines left by a stopped run are parsed again, whatever that run's
-- half-finished parse wrote for them goes: their metric points and their telemetry quarantine
-- entries, by (_file_key, _offset), so nothing is counted twice.
DELETE FROM otel_metrics_sum
WHERE (_file_key, _offset) IN (SELECT _file_key, _offset FROM _pending_metric_lines);
DELETE FROM otel_metrics_gauge
WHERE (_file_key, _offset) IN (SELECT _file_key, _offset FROM _pending_metric_lines);
DELETE FROM otel_metrics_histogram
WHERE (_file_key, _offset) IN (SELECT _file_key, _offset FROM _pending_metric_lines);
DELETE FROM ingest_quarantine
WHERE source = 'telemetry'
  AND (_file_key, _offset) IN (SELECT _file_key, _offset FROM _pending_metric_lines);

-- Scratch table for histogram points parsed from one batch, before they are appended.
-- Recreated at the start of each run so it always follows otel_metrics_histogram.
DROP TABLE IF EXISTS _batch_otel_metrics_histogram;
CREATE TABLE _batch_otel_metrics_histogram AS otel_metrics_histogram ENGINE = Memory;

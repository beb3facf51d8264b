-- Log records are parsed straight into otel_logs, so one INSERT ... SELECT runs on every core
-- (a Null table with views in between writes on one thread). Attributes whose number is not a
-- number are named in _malformed on the record itself; the batch's quarantine rows are taken
-- from there. Empty on every well-formed record, and on rows the Collector's exporter writes.
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS _malformed Array(String) DEFAULT [] CODEC(ZSTD(1));

DROP VIEW IF EXISTS _parsed_log_records_to_otel_logs;
DROP VIEW IF EXISTS _parsed_log_records_malformed;
DROP TABLE IF EXISTS _parsed_log_records;
DROP TABLE IF EXISTS _batch_malformed;

-- Parts of a few batches are kept in one file (compact) instead of a file per column: an
-- ingest writes a part per batch, and creating dozens of files for each costs more than
-- writing its rows. Merged parts above this size are stored a file per column as usual.
ALTER TABLE otel_logs MODIFY SETTING min_bytes_for_wide_part = 268435456;

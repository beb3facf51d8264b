-- Lines of one batch that hold no loadable OTLP export, with the reason (never the content).
-- Run after the parse queries: a line is rejected when its first key named no signal, or
-- when it produced no row and is not valid UTF-8 JSON (a valid but empty export is fine).
INSERT INTO ingest_quarantine (source, file_path, _file_key, _offset, length, reason)
SELECT
    'telemetry' AS source,
    {file_path:String} AS file_path,
    {file_key:String} AS _file_key,
    offset AS _offset,
    length(line) + 1 AS length,
    multiIf(NOT isValidUTF8(line), 'invalid UTF-8',
            NOT isValidJSON(line), 'invalid JSON',
            'valid JSON but not an OTLP export (no resourceLogs, resourceMetrics or resourceSpans)'
    ) AS reason
FROM {lines:Identifier}
-- metric lines of a batch are checked when they are parsed (pending_metric_lines)
WHERE NOT ({deferred_metrics:UInt8} AND signal = 2)
  AND (signal = 0
   OR (offset NOT IN (SELECT _offset FROM otel_logs WHERE _file_key = {file_key:String}
                      AND _offset >= {start:UInt64} AND _offset < {end:UInt64})
       AND offset NOT IN (SELECT _offset FROM otel_traces WHERE _file_key = {file_key:String}
                          AND _offset >= {start:UInt64} AND _offset < {end:UInt64})
       AND offset NOT IN (SELECT offset FROM _batch_point_notes)
       AND offset NOT IN (SELECT _offset FROM _batch_otel_metrics_histogram)
       AND NOT (isValidUTF8(line) AND isValidJSON(line))))

-- Lines of one batch that hold no loadable OTLP export, with the reason (never the content).
INSERT INTO ingest_quarantine (source, file_path, _file_key, _offset, length, reason)
SELECT
    'telemetry' AS source,
    {file_path:String} AS file_path,
    {file_key:String} AS _file_key,
    offset AS _offset,
    length(line) + 1 AS length,
    if(problem != '', problem,
       'valid JSON but not an OTLP export (no resourceLogs, resourceMetrics or resourceSpans)') AS reason
FROM _staging_telemetry_lines
WHERE signal = ''

-- Lines of one batch that hold no loadable OTLP export, with the reason (never the content).
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
FROM _staging_telemetry_lines
WHERE NOT (
    (startsWith(line, '{"resourceLogs"') OR startsWith(line, '{"resourceMetrics"')
     OR startsWith(line, '{"resourceSpans"')
     OR JSONHas(line, 'resourceLogs') OR JSONHas(line, 'resourceMetrics')
     OR JSONHas(line, 'resourceSpans'))
    AND isValidUTF8(line) AND isValidJSON(line))

-- What one batch holds, in one pass: lines per signal (by their first key, or by JSONHas for
-- exports written with another key order), lines that are not valid UTF-8 JSON, lines that
-- may hold histograms, and lines with a number that is not a number.
SELECT
    multiIf(NOT (isValidUTF8(line) AND isValidJSON(line)), 'invalid',
            startsWith(line, '{"resourceLogs"'), 'logs',
            startsWith(line, '{"resourceMetrics"'), 'metrics',
            startsWith(line, '{"resourceSpans"'), 'traces',
            JSONHas(line, 'resourceLogs'), 'logs',
            JSONHas(line, 'resourceMetrics'), 'metrics',
            JSONHas(line, 'resourceSpans'), 'traces',
            '') AS signal,
    count() AS lines,
    countIf(position(line, '"histogram"') > 0) AS histogram_lines,
    countIf(match(line, '"(?:int|double)Value": *(?:[^-0-9" ]|"[^"]*[^-+0-9.eE"])')) AS suspects
FROM _staging_telemetry_lines
GROUP BY signal

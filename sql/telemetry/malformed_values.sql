-- Lines of one batch with attribute numbers that are not numbers (a Desktop bug sends
-- {"doubleValue":{}}). Their records were kept with the value stored empty; this records
-- where and which attributes, never the values.
INSERT INTO ingest_quarantine (source, file_path, _file_key, _offset, length, reason)
SELECT
    'telemetry',
    {file_path:String},
    {file_key:String},
    offset,
    length(line) + 1,
    concat('malformed number in attribute(s) ', arrayStringConcat(keys, ', '),
           ' (records kept, those values stored empty)')
FROM (
    SELECT
        offset,
        line,
        arrayDistinct(extractAll(
            line,
            '"key": *"([^"]*)", *"value": *\\{ *"(?:int|double)Value": *(?:[^-0-9" ]|"[^"]*[^-+0-9.eE"])'
        )) AS keys
    FROM _staging_telemetry_lines
    WHERE match(line, '"(?:int|double)Value": *(?:[^-0-9" ]|"[^"]*[^-+0-9.eE"])')
      AND (startsWith(line, '{"resourceLogs"') OR startsWith(line, '{"resourceSpans"')
           OR JSONHas(line, 'resourceLogs') OR JSONHas(line, 'resourceSpans'))
      AND isValidUTF8(line) AND isValidJSON(line)
)
WHERE notEmpty(keys)

-- Lines of one batch whose records held attribute numbers that are not numbers (a Desktop
-- bug sends {"doubleValue":{}}). The records were kept with those values stored empty; this
-- records where and which attributes, never the values. Log lines were noted while they were
-- parsed (_batch_malformed); span lines, rare, are searched here.
INSERT INTO ingest_quarantine (source, file_path, _file_key, _offset, length, reason)
SELECT
    'telemetry',
    {file_path:String},
    {file_key:String},
    offset,
    any(line_length),
    concat('malformed number in attribute(s) ', arrayStringConcat(arrayDistinct(flatten(groupArray(keys))), ', '),
           ' (records kept, those values stored empty)')
FROM (
    SELECT offset, line_length, keys FROM _batch_malformed
    UNION ALL
    SELECT
        offset,
        length(line) + 1 AS line_length,
        arrayDistinct(extractAll(
            line,
            '"key": *"([^"]*)", *"value": *\\{ *"(?:int|double)Value": *(?:[^-0-9" ]|"[^"]*[^-+0-9.eE"])'
        )) AS keys
    FROM _staging_telemetry_lines
    WHERE signal = 3
)
WHERE notEmpty(keys)
GROUP BY offset

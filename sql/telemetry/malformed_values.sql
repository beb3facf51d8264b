-- Lines of one batch whose records held attribute numbers that are not numbers (a Desktop
-- bug sends {"doubleValue":{}}). The records were kept with those values stored empty; this
-- records where and which attributes, never the values. Log records name them in _malformed;
-- span lines, rare, are searched here.
INSERT INTO ingest_quarantine (source, file_path, _file_key, _offset, length, reason)
SELECT
    'telemetry',
    {file_path:String},
    {file_key:String},
    offset,
    length(line) + 1,
    concat('malformed number in attribute(s) ', arrayStringConcat(keys, ', '),
           ' (records kept, those values stored empty)')
FROM {lines:Identifier} AS batch_lines
INNER JOIN (
    SELECT _offset AS offset, arrayDistinct(flatten(groupArray(_malformed))) AS keys
    FROM otel_logs
    WHERE _file_key = {file_key:String} AND _offset >= {start:UInt64} AND _offset < {end:UInt64}
      AND notEmpty(_malformed)
    GROUP BY _offset
    UNION ALL
    SELECT
        offset,
        arrayDistinct(extractAll(
            line,
            '"key": *"([^"]*)", *"value": *\\{ *"(?:int|double)Value": *(?:[^-0-9" ]|"[^"]*[^-+0-9.eE"])'
        )) AS keys
    FROM {lines:Identifier}
    WHERE signal = 3
) AS malformed USING (offset)
WHERE notEmpty(keys)

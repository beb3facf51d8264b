-- OTLP JSON log lines of one batch -> otel_logs, in one INSERT ... SELECT that runs on every
-- core (the batch's lines come in several blocks). Invalid JSON parses to nothing here; such
-- lines are found afterwards as lines that produced no record.
-- lines (an Identifier parameter): the table of the batch's lines (offset, signal, line), the
-- staging table _staging_telemetry_lines or, where an embedded engine reads the batch's spool
-- files in place, the File table of spool_lines.sql (files/spool.SpoolTable).
-- Parameters: file_key, keep_content (UInt8), allowed (hashes of attribute names known to hold
-- no content), allowed_pairs (hashes of 'event:attribute' kept for that event only),
-- known_names (names known to hold no content).
-- Unless keep_content is set, content stays out (telemetry/privacy.py): every attribute map
-- (record, resource, scope) keeps only allowed names; a body is kept only when it is
-- 'claude_code.<event>' for the record's own event.name or a known name, an OTLP event name
-- only when it is the record's event name or a known name.
-- Reading an AnyValue as Map(String, String) turns {"stringValue":..}, {"intValue":..},
-- {"doubleValue":..} or {"boolValue":..} into its text in one step. An attribute whose number
-- is not a number, or a usage number out of range (docs/rollups.md, "Sane ranges"), is stored
-- empty and named in _malformed, so its line can be quarantined. The names the allow-list
-- drops are noted in _dropped (record) and _dropped_resource: names only, for the attribute
-- catalog (telemetry_attribute_catalog).
INSERT INTO otel_logs (
    Timestamp, TimestampTime, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber,
    ServiceName, Body, ResourceSchemaUrl, ResourceAttributes, ScopeSchemaUrl, ScopeName,
    ScopeVersion, ScopeAttributes, LogAttributes, EventName, _file_key, _offset, _malformed,
    _dropped, _dropped_resource)
SELECT
    fromUnixTimestamp64Nano(toInt64(if(time_ns != 0, time_ns, observed_ns)), 'UTC') AS Timestamp,
    toDateTime(Timestamp, 'UTC') AS TimestampTime,
    trace_id AS TraceId,
    span_id AS SpanId,
    toUInt8(bitAnd(flags, 255)) AS TraceFlags,
    severity_text AS SeverityText,
    toUInt8(greatest(0, least(255, severity_number))) AS SeverityNumber,
    resource_attrs['service.name'] AS ServiceName,
    if({keep_content:UInt8}
       OR (startsWith(body_text, 'claude_code.')
           AND (body_text = concat('claude_code.', record_event)
                OR has({known_names:Array(String)}, body_text))),
       body_text, '') AS Body,
    resource_schema_url AS ResourceSchemaUrl,
    if({keep_content:UInt8}, resource_attrs,
       mapFilter((k, v) -> has({allowed:Array(UInt64)}, cityHash64(k)), resource_attrs))
        AS ResourceAttributes,
    scope_schema_url AS ScopeSchemaUrl,
    scope_name AS ScopeName,
    scope_version AS ScopeVersion,
    if({keep_content:UInt8}, scope_attrs,
       mapFilter((k, v) -> has({allowed:Array(UInt64)}, cityHash64(k)), scope_attrs))
        AS ScopeAttributes,
    mapFromArrays(arrayFilter((k, m) -> m, keys, kept), arrayFilter((v, m) -> m, texts, kept))
        AS LogAttributes,
    if({keep_content:UInt8} OR event_name = '' OR event_name = record_event
       OR has({known_names:Array(String)}, event_name)
       OR has({known_names:Array(String)}, concat('claude_code.', event_name)),
       event_name, '') AS EventName,
    {file_key:String} AS _file_key,
    offset AS _offset,
    malformed AS _malformed,
    -- most records lose no attribute: only those that did are looked at
    arrayFilter((k, m) -> NOT m, keys, kept) AS _dropped,
    if(length(ResourceAttributes) = length(resource_attrs), [],
       arrayFilter(k -> NOT mapContains(ResourceAttributes, k), mapKeys(resource_attrs)))
        AS _dropped_resource
FROM (
    SELECT
        offset,
        rec.timeUnixNano AS time_ns,
        rec.observedTimeUnixNano AS observed_ns,
        rec.traceId AS trace_id,
        rec.spanId AS span_id,
        rec.flags AS flags,
        rec.severityText AS severity_text,
        rec.severityNumber AS severity_number,
        mapValues(rec.body)[1] AS body_text,
        rl.schemaUrl AS resource_schema_url,
        mapFromArrays(arrayMap(a -> a.key, rl.resource.attributes),
                      arrayMap(a -> mapValues(a.value)[1], rl.resource.attributes)) AS resource_attrs,
        sl.schemaUrl AS scope_schema_url,
        sl.scope.name AS scope_name,
        sl.scope.version AS scope_version,
        mapFromArrays(arrayMap(a -> a.key, sl.scope.attributes),
                      arrayMap(a -> mapValues(a.value)[1], sl.scope.attributes)) AS scope_attrs,
        -- the record's attributes as parallel arrays: names, AnyValue kinds, texts
        arrayMap(a -> a.key, rec.attributes) AS keys,
        arrayMap(a -> mapKeys(a.value)[1], rec.attributes) AS kinds,
        arrayMap(a -> mapValues(a.value)[1], rec.attributes) AS raw_texts,
        -- a number that is not a number, or a usage number out of its sane range (token
        -- counts above 10^9 per request; a cost that is not finite or not within
        -- 0..10^6 USD), is stored empty and named in _malformed with why (its line is
        -- quarantined); it never reaches the rollups to overflow a sum
        arrayMap((k, kind, t) -> multiIf(
                    kind IN ('intValue', 'doubleValue') AND toFloat64OrNull(t) IS NULL, k,
                    k IN ('input_tokens', 'output_tokens', 'cache_read_tokens',
                          'cache_creation_tokens')
                        AND ifNull(toFloat64OrNull(t), 0) > 1e9,
                        concat(k, ' (above 10^9 tokens)'),
                    k = 'cost_usd'
                        AND NOT ifNull(toFloat64OrNull(t) BETWEEN 0 AND 1e6, true),
                        concat(k, ' (not a cost within 0..10^6 USD)'),
                    ''),
                 keys, kinds, raw_texts) AS bad,
        arrayMap((t, b) -> if(b != '', '', t), raw_texts, bad) AS texts,
        texts[indexOf(keys, 'event.name')] AS record_event,
        -- which names the allow-list keeps (all under keep_content); computed once per name,
        -- it splits the record's attributes into LogAttributes and _dropped
        arrayMap(k -> toBool({keep_content:UInt8}) OR has({allowed:Array(UInt64)}, cityHash64(k))
                      OR has({allowed_pairs:Array(UInt64)}, cityHash64(record_event, k)),
                 keys) AS kept,
        -- a record dated outside 2000..2099 (UTC) is kept but named in _malformed: the
        -- typed views leave it out, so it is quarantined with the reason and never counted
        -- on a day it does not belong to
        arrayConcat(
            arrayFilter(b -> b != '', bad),
            if(if(rec.timeUnixNano != 0, rec.timeUnixNano, rec.observedTimeUnixNano)
                   NOT BETWEEN 946684800000000000 AND 4102444799999999999,
               ['timestamp (not within 2000..2099 UTC, record not counted)'], [])
        ) AS malformed,
        rec.eventName AS event_name
    FROM (
        SELECT
            offset,
            JSONExtract(line, 'resourceLogs', 'Array(Tuple(
                resource Tuple(attributes Array(Tuple(key String, value Map(String, String)))),
                schemaUrl String,
                scopeLogs Array(Tuple(
                    scope Tuple(name String, version String,
                                attributes Array(Tuple(key String, value Map(String, String)))),
                    schemaUrl String,
                    logRecords Array(Tuple(
                        timeUnixNano UInt64,
                        observedTimeUnixNano UInt64,
                        severityNumber Int32,
                        severityText String,
                        body Map(String, String),
                        attributes Array(Tuple(key String, value Map(String, String))),
                        flags UInt32,
                        traceId String,
                        spanId String,
                        eventName String))))))') AS resource_logs
        FROM {lines:Identifier}
        WHERE signal = 1
    )
    ARRAY JOIN resource_logs AS rl
    ARRAY JOIN rl.scopeLogs AS sl
    ARRAY JOIN sl.logRecords AS rec
)

-- OTLP JSON span lines of one batch -> otel_traces. Unless keep_content is set, content stays
-- out (telemetry/privacy.py): span, span-event, span-link and resource attributes keep only
-- allowed names (hashes in {allowed}); span and span-event names are kept only when known
-- (known_names), else stored empty; status messages (free text) are stored empty.
INSERT INTO otel_traces (
    Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
    ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode,
    StatusMessage, `Events.Timestamp`, `Events.Name`, `Events.Attributes`, `Links.TraceId`,
    `Links.SpanId`, `Links.TraceState`, `Links.Attributes`, _file_key, _offset)
SELECT
    fromUnixTimestamp64Nano(toInt64(span.startTimeUnixNano), 'UTC') AS Timestamp,
    span.traceId AS TraceId,
    span.spanId AS SpanId,
    span.parentSpanId AS ParentSpanId,
    span.traceState AS TraceState,
    if({keep_content:UInt8} OR has({known_names:Array(String)}, span.name), span.name, '')
        AS SpanName,
    ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'][least(span.kind, 5) + 1] AS SpanKind,
    ResourceAttributes['service.name'] AS ServiceName,
    mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
              mapFromArrays(arrayMap(a -> a.key, rs.resource.attributes),
                            arrayMap(a -> mapValues(a.value)[1], rs.resource.attributes)))
        AS ResourceAttributes,
    ss.scope.name AS ScopeName,
    ss.scope.version AS ScopeVersion,
    mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
              mapFromArrays(arrayMap(a -> a.key, span.attributes),
                            arrayMap(a -> if(mapKeys(a.value)[1] IN ('intValue', 'doubleValue')
                                             AND toFloat64OrNull(mapValues(a.value)[1]) IS NULL,
                                             '', mapValues(a.value)[1]), span.attributes))) AS SpanAttributes,
    toUInt64(greatest(0, toInt64(span.endTimeUnixNano) - toInt64(span.startTimeUnixNano))) AS Duration,
    ['Unset', 'Ok', 'Error'][least(span.status.code, 2) + 1] AS StatusCode,
    if({keep_content:UInt8}, span.status.message, '') AS StatusMessage,
    arrayMap(e -> fromUnixTimestamp64Nano(toInt64(e.timeUnixNano), 'UTC'), span.events) AS `Events.Timestamp`,
    arrayMap(e -> if({keep_content:UInt8} OR has({known_names:Array(String)}, e.name), e.name, ''),
             span.events) AS `Events.Name`,
    arrayMap(e -> mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
                            mapFromArrays(arrayMap(a -> a.key, e.attributes),
                                          arrayMap(a -> mapValues(a.value)[1], e.attributes))),
             span.events) AS `Events.Attributes`,
    arrayMap(l -> l.traceId, span.links) AS `Links.TraceId`,
    arrayMap(l -> l.spanId, span.links) AS `Links.SpanId`,
    arrayMap(l -> l.traceState, span.links) AS `Links.TraceState`,
    arrayMap(l -> mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
                            mapFromArrays(arrayMap(a -> a.key, l.attributes),
                                          arrayMap(a -> mapValues(a.value)[1], l.attributes))),
             span.links) AS `Links.Attributes`,
    {file_key:String} AS _file_key,
    offset AS _offset
FROM (
    SELECT
        offset,
        JSONExtract(line, 'resourceSpans', 'Array(Tuple(
            resource Tuple(attributes Array(Tuple(key String, value Map(String, String)))),
            scopeSpans Array(Tuple(
                scope Tuple(name String, version String),
                spans Array(Tuple(
                    traceId String, spanId String, parentSpanId String, traceState String,
                    name String, kind UInt8,
                    startTimeUnixNano UInt64, endTimeUnixNano UInt64,
                    attributes Array(Tuple(key String, value Map(String, String))),
                    events Array(Tuple(timeUnixNano UInt64, name String,
                                       attributes Array(Tuple(key String, value Map(String, String))))),
                    links Array(Tuple(traceId String, spanId String, traceState String,
                                      attributes Array(Tuple(key String, value Map(String, String))))),
                    status Tuple(code UInt8, message String)))))))') AS resource_spans
    FROM {lines:Identifier}
    WHERE signal = 3
)
ARRAY JOIN resource_spans AS rs
ARRAY JOIN rs.scopeSpans AS ss
ARRAY JOIN ss.spans AS span

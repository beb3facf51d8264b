-- OTLP JSON metric lines of one batch -> _parsed_metric_points (-> otel_metrics_sum,
-- otel_metrics_gauge, _batch_point_notes): one row per data point of a sum or gauge. A point
-- whose value does not parse keeps a NULL Value, is noted, and never reaches the tables.
-- Unless keep_content is set, resource, scope and data point attributes keep only the names
-- known to hold no content (hashes in {allowed}, telemetry/privacy.py).
INSERT INTO _parsed_metric_points
SELECT
    m.1 AS kind,
    mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
              mapFromArrays(arrayMap(a -> a.key, rm.resource.attributes),
                            arrayMap(a -> mapValues(a.value)[1], rm.resource.attributes))) AS ResourceAttributes,
    rm.schemaUrl AS ResourceSchemaUrl,
    sm.scope.name AS ScopeName,
    sm.scope.version AS ScopeVersion,
    mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
              mapFromArrays(arrayMap(a -> a.key, sm.scope.attributes),
                            arrayMap(a -> mapValues(a.value)[1], sm.scope.attributes))) AS ScopeAttributes,
    sm.schemaUrl AS ScopeSchemaUrl,
    ResourceAttributes['service.name'] AS ServiceName,
    m.2 AS MetricName,
    m.3 AS MetricDescription,
    m.4 AS MetricUnit,
    mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
              mapFromArrays(arrayMap(a -> a.key, dp.attributes),
                            arrayMap(a -> mapValues(a.value)[1], dp.attributes))) AS Attributes,
    fromUnixTimestamp64Nano(toInt64(dp.startTimeUnixNano), 'UTC') AS StartTimeUnix,
    fromUnixTimestamp64Nano(toInt64(dp.timeUnixNano), 'UTC') AS TimeUnix,
    toFloat64OrNull(if(dp.asDouble != '', dp.asDouble, dp.asInt)) AS Value,
    dp.flags AS Flags,
    m.5 AS AggregationTemporality,
    m.6 AS IsMonotonic,
    {file_key:String} AS _file_key,
    offset AS _offset,
    line_length AS _line_length
FROM (
    SELECT
        offset,
        length(line) + 1 AS line_length,
        JSONExtract(line, 'resourceMetrics', 'Array(Tuple(
            resource Tuple(attributes Array(Tuple(key String, value Map(String, String)))),
            schemaUrl String,
            scopeMetrics Array(Tuple(
                scope Tuple(name String, version String,
                            attributes Array(Tuple(key String, value Map(String, String)))),
                schemaUrl String,
                metrics Array(Tuple(
                    name String,
                    description String,
                    unit String,
                    sum Tuple(aggregationTemporality Int32, isMonotonic Bool, dataPoints Array(Tuple(
                        attributes Array(Tuple(key String, value Map(String, String))),
                        startTimeUnixNano UInt64, timeUnixNano UInt64,
                        asDouble String, asInt String, flags UInt32))),
                    gauge Tuple(dataPoints Array(Tuple(
                        attributes Array(Tuple(key String, value Map(String, String))),
                        startTimeUnixNano UInt64, timeUnixNano UInt64,
                        asDouble String, asInt String, flags UInt32)))
                ))))))') AS resource_metrics
    FROM {lines:Identifier}
    WHERE signal = 2
)
ARRAY JOIN resource_metrics AS rm
ARRAY JOIN rm.scopeMetrics AS sm
ARRAY JOIN arrayConcat(
    arrayMap(x -> ('sum', x.name, x.description, x.unit, x.sum.aggregationTemporality,
                   x.sum.isMonotonic, x.sum.dataPoints), sm.metrics),
    arrayMap(x -> ('gauge', x.name, x.description, x.unit, toInt32(0), false,
                   x.gauge.dataPoints), sm.metrics)
) AS m
ARRAY JOIN m.7 AS dp

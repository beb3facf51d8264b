-- Histogram data points of one batch's metric lines -> _batch_otel_metrics_histogram.
-- Unless keep_content is set, resource, scope and data point attributes keep only the names
-- known to hold no content (hashes in {allowed}, telemetry/privacy.py).
INSERT INTO _batch_otel_metrics_histogram
SELECT
    mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
              mapFromArrays(arrayMap(a -> a.key, rm.resource.attributes),
                            arrayMap(a -> mapValues(a.value)[1], rm.resource.attributes))) AS ResourceAttributes,
    rm.schemaUrl AS ResourceSchemaUrl,
    sm.scope.name AS ScopeName,
    sm.scope.version AS ScopeVersion,
    mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
              mapFromArrays(arrayMap(a -> a.key, sm.scope.attributes),
                            arrayMap(a -> mapValues(a.value)[1], sm.scope.attributes))) AS ScopeAttributes,
    toUInt32(0) AS ScopeDroppedAttrCount,
    sm.schemaUrl AS ScopeSchemaUrl,
    ResourceAttributes['service.name'] AS ServiceName,
    metric.name AS MetricName,
    metric.description AS MetricDescription,
    metric.unit AS MetricUnit,
    mapFilter((k, v) -> {keep_content:UInt8} OR has({allowed:Array(UInt64)}, cityHash64(k)),
              mapFromArrays(arrayMap(a -> a.key, dp.attributes),
                            arrayMap(a -> mapValues(a.value)[1], dp.attributes))) AS Attributes,
    fromUnixTimestamp64Nano(toInt64(dp.startTimeUnixNano), 'UTC') AS StartTimeUnix,
    fromUnixTimestamp64Nano(toInt64(dp.timeUnixNano), 'UTC') AS TimeUnix,
    toUInt64OrZero(dp.count) AS Count,
    ifNull(toFloat64OrNull(dp.sum), 0) AS Sum,
    arrayMap(x -> toUInt64OrZero(x), dp.bucketCounts) AS BucketCounts,
    dp.explicitBounds AS ExplicitBounds,
    [] AS `Exemplars.FilteredAttributes`,
    [] AS `Exemplars.TimeUnix`,
    [] AS `Exemplars.Value`,
    [] AS `Exemplars.SpanId`,
    [] AS `Exemplars.TraceId`,
    dp.flags AS Flags,
    ifNull(toFloat64OrNull(dp.min), 0) AS Min,
    ifNull(toFloat64OrNull(dp.max), 0) AS Max,
    metric.histogram.aggregationTemporality AS AggregationTemporality,
    {file_key:String} AS _file_key,
    offset AS _offset
FROM (
    SELECT
        offset,
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
                    histogram Tuple(aggregationTemporality Int32, dataPoints Array(Tuple(
                        attributes Array(Tuple(key String, value Map(String, String))),
                        startTimeUnixNano UInt64, timeUnixNano UInt64,
                        count String, sum String, bucketCounts Array(String),
                        explicitBounds Array(Float64), min String, max String, flags UInt32)))
                ))))))') AS resource_metrics
    FROM {lines:Identifier}
    WHERE signal = 2 AND position(line, '"histogram"') > 0
)
ARRAY JOIN resource_metrics AS rm
ARRAY JOIN rm.scopeMetrics AS sm
ARRAY JOIN sm.metrics AS metric
ARRAY JOIN metric.histogram.dataPoints AS dp

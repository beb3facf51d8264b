-- Parsed sum data points with a numeric value go to otel_metrics_sum.
CREATE MATERIALIZED VIEW _parsed_metric_points_to_sum TO otel_metrics_sum AS
SELECT
    ResourceAttributes, ResourceSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes,
    ScopeSchemaUrl, ServiceName, MetricName, MetricDescription, MetricUnit, Attributes,
    StartTimeUnix, TimeUnix, assumeNotNull(Value) AS Value, Flags, AggregationTemporality,
    IsMonotonic, _file_key, _offset
FROM _parsed_metric_points
WHERE kind = 'sum' AND Value IS NOT NULL;

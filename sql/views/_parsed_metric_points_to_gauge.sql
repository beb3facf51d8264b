-- Parsed gauge data points with a numeric value go to otel_metrics_gauge.
CREATE MATERIALIZED VIEW _parsed_metric_points_to_gauge TO otel_metrics_gauge AS
SELECT
    ResourceAttributes, ResourceSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes,
    ScopeSchemaUrl, ServiceName, MetricName, MetricDescription, MetricUnit, Attributes,
    StartTimeUnix, TimeUnix, assumeNotNull(Value) AS Value, Flags, _file_key, _offset
FROM _parsed_metric_points
WHERE kind = 'gauge' AND Value IS NOT NULL;

-- Claude Code counters as deltas whatever the exporter's temporality. Cumulative series
-- (AggregationTemporality = 2) are differenced per series; a new StartTimeUnix or a value
-- lower than the previous one is a counter reset, whose delta is the value itself.
CREATE OR REPLACE VIEW cc_metric_deltas AS
SELECT
    TimeUnix AS time,
    StartTimeUnix AS start_time,
    MetricName AS metric_name,
    ServiceName AS service_name,
    Attributes AS attributes,
    ResourceAttributes AS resource_attributes,
    Attributes['session.id'] AS session_id,
    Attributes['user.id'] AS user_id,
    Attributes['organization.id'] AS organization_id,
    Attributes['type'] AS type,
    Attributes['model'] AS model,
    AggregationTemporality AS temporality,
    Value AS value,
    if(AggregationTemporality = 2,
       if(prev_time IS NOT NULL AND Value >= prev_value, Value - prev_value, Value),
       Value) AS delta
FROM (
    SELECT
        *,
        lagInFrame(toNullable(Value)) OVER series AS prev_value,
        lagInFrame(toNullable(TimeUnix)) OVER series AS prev_time
    FROM otel_metrics_sum
    WINDOW series AS (
        PARTITION BY ServiceName, MetricName, Attributes, ResourceAttributes, StartTimeUnix,
                     AggregationTemporality
        ORDER BY TimeUnix
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
);

-- Claude Code counter points of the batch's days as deltas, whatever the temporality; the
-- same rule as the cc_metric_deltas view, read one range of days at a time. A cumulative
-- series is differenced against its previous point, found before the range when the first
-- point of the range has none inside it; a lower value or new StartTimeUnix is a reset.
INSERT INTO _rollup_metric_deltas
WITH
    pts AS (
        SELECT
            cityHash64(ServiceName, MetricName, Attributes, ResourceAttributes, StartTimeUnix,
                       AggregationTemporality) AS series,
            TimeUnix, StartTimeUnix, MetricName, Attributes, AggregationTemporality, Value
        FROM otel_metrics_sum
        WHERE TimeUnix >= {lo:DateTime64(3, 'UTC')} AND TimeUnix < {hi:DateTime64(3, 'UTC')}
          AND toDate(TimeUnix) IN {days:Array(Date)}
    ),
    prev AS (
        SELECT
            cityHash64(ServiceName, MetricName, Attributes, ResourceAttributes, StartTimeUnix,
                       AggregationTemporality) AS series,
            argMax(Value, TimeUnix) AS prev_value
        FROM otel_metrics_sum
        WHERE AggregationTemporality = 2
          AND TimeUnix < {lo:DateTime64(3, 'UTC')}
          AND TimeUnix >= (SELECT minOrNull(StartTimeUnix) FROM pts WHERE AggregationTemporality = 2)
          AND series IN (SELECT series FROM pts WHERE AggregationTemporality = 2)
        GROUP BY series
    )
SELECT
    toDate(TimeUnix) AS day,
    TimeUnix AS time,
    MetricName AS metric_name,
    Attributes['session.id'] AS session_id,
    Attributes['user.id'] AS user_id,
    Attributes['organization.id'] AS organization_id,
    Attributes['type'] AS type,
    Attributes['decision'] AS decision,
    if(AggregationTemporality = 2,
       if(before IS NOT NULL AND Value >= before, Value - before, Value),
       Value) AS delta
FROM (
    SELECT
        p.*,
        coalesce(
            lagInFrame(toNullable(p.Value)) OVER (
                PARTITION BY p.series ORDER BY p.TimeUnix
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
            pv.prev_value) AS before
    FROM pts AS p
    LEFT JOIN prev AS pv ON pv.series = p.series
)
SETTINGS join_use_nulls = 1

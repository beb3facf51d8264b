-- Every parsed data point is noted (line, kind, whether its value is a number), so a batch
-- is counted and its unusable points quarantined.
CREATE MATERIALIZED VIEW _parsed_metric_points_to_notes TO _batch_point_notes AS
SELECT
    _offset AS offset,
    _line_length AS line_length,
    kind,
    MetricName AS metric_name,
    TimeUnix AS time,
    Value IS NOT NULL AS has_value
FROM _parsed_metric_points;

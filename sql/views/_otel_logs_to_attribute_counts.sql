-- Every inserted block of log records adds its distinct (event, attribute, kept) names with
-- how many records carried them, when, and from which Claude Code versions; resource
-- attributes under the event name '(resource)'. Keyed by the block's file and first line.
-- Records are first grouped by their sets of names (records of one event mostly share one),
-- so only those sets, not every record, are split into names.
CREATE MATERIALIZED VIEW _otel_logs_to_attribute_counts TO telemetry_attribute_counts AS
SELECT
    name.1 AS event_name,
    name.2 AS attribute,
    name.3 AS kept,
    _file_key,
    min(first_offset) AS _offset,
    sum(records) AS seen,
    min(first_time) AS first_seen,
    max(last_time) AS last_seen,
    now64(3, 'UTC') AS first_loaded,
    groupUniqArrayArray(versions) AS app_versions
FROM (
    SELECT
        _file_key,
        min(_offset) AS first_offset,
        count() AS records,
        min(toDateTime64(Timestamp, 3, 'UTC')) AS first_time,
        max(toDateTime64(Timestamp, 3, 'UTC')) AS last_time,
        groupUniqArrayIf(ResourceAttributes['service.version'],
                         ResourceAttributes['service.version'] != '') AS versions,
        if(LogAttributes['event.name'] != '', LogAttributes['event.name'],
           if(startsWith(Body, 'claude_code.'), substring(Body, 13), EventName)) AS event,
        mapKeys(LogAttributes) AS kept_names,
        _dropped AS dropped_names,
        mapKeys(ResourceAttributes) AS kept_resource_names,
        _dropped_resource AS dropped_resource_names
    FROM otel_logs
    GROUP BY _file_key, event, kept_names, dropped_names, kept_resource_names,
             dropped_resource_names
)
ARRAY JOIN arrayConcat(
    arrayMap(k -> (event, toString(k), true), kept_names),
    arrayMap(k -> (event, toString(k), false), dropped_names),
    arrayMap(k -> ('(resource)', toString(k), true), kept_resource_names),
    arrayMap(k -> ('(resource)', toString(k), false), dropped_resource_names)) AS name
GROUP BY name, _file_key;

-- The attribute names of inserted log records -> telemetry_attribute_counts: per insert block,
-- one row per distinct (event, attribute, kept) with how many records carried it, when, and
-- from which Claude Code versions; resource attributes under the event name '(resource)'.
-- Names only, never values. It counts the block as it is written (nothing is read back from
-- disk). A row carries its file and the block's first byte: a block belongs to one batch, so
-- after a crash the rows are deleted with the batch's records (offset at or after the
-- committed one) and written again once.
-- Records are first grouped by their sets of names (the records of one event mostly share
-- one), so only those sets, not every record, are split into names.
CREATE MATERIALIZED VIEW _otel_logs_to_attribute_counts TO telemetry_attribute_counts AS
SELECT
    name.1 AS event_name,
    name.2 AS attribute,
    name.3 AS kept,
    file_key AS _file_key,
    min(first_offset) AS _offset,
    sum(records) AS seen,
    min(first_time) AS first_seen,
    max(last_time) AS last_seen,
    now64(3, 'UTC') AS first_loaded,
    groupUniqArrayArray(versions) AS app_versions
FROM (
    SELECT
        _file_key AS file_key,
        min(_offset) AS first_offset,
        count() AS records,
        toDateTime64(min(Timestamp), 3, 'UTC') AS first_time,
        toDateTime64(max(Timestamp), 3, 'UTC') AS last_time,
        groupUniqArrayIf(ResourceAttributes['service.version'],
                         ResourceAttributes['service.version'] != '') AS versions,
        any(if(LogAttributes['event.name'] != '', LogAttributes['event.name'],
               if(startsWith(Body, 'claude_code.'), substring(Body, 13), EventName))) AS event,
        any(mapKeys(LogAttributes)) AS kept_names,
        any(_dropped) AS dropped_names,
        any(mapKeys(ResourceAttributes)) AS kept_resource_names,
        any(_dropped_resource) AS dropped_resource_names
    FROM otel_logs
    GROUP BY _file_key, Body, EventName, LogAttributes['event.name'],
             cityHash64(mapKeys(LogAttributes)), cityHash64(_dropped),
             cityHash64(mapKeys(ResourceAttributes)), cityHash64(_dropped_resource)
)
ARRAY JOIN arrayConcat(
    arrayMap(k -> (event, toString(k), true), kept_names),
    arrayMap(k -> (event, toString(k), false), dropped_names),
    arrayMap(k -> ('(resource)', toString(k), true), kept_resource_names),
    arrayMap(k -> ('(resource)', toString(k), false), dropped_resource_names)) AS name
GROUP BY name, file_key

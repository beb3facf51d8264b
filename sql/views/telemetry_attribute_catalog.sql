-- One row per event and attribute name ever seen: whether the allow-list keeps it (as of
-- the newest record carrying it), how many records carried it, when, and from which Claude
-- Code versions. Names and counts only, never values. first_loaded: when ingestion first
-- met the name.
CREATE OR REPLACE VIEW telemetry_attribute_catalog AS
SELECT
    c.event_name AS event_name,
    c.attribute AS attribute,
    argMax(c.kept, c.last_seen) AS kept,
    sum(c.seen) AS seen,
    min(c.first_seen) AS first_seen,
    max(c.last_seen) AS last_seen,
    arraySort(groupUniqArrayArray(c.app_versions)) AS app_versions,
    min(c.first_loaded) AS first_loaded
FROM telemetry_attribute_counts AS c
GROUP BY c.event_name, c.attribute;

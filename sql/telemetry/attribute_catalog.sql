-- The attribute catalog as printed: every event and attribute name seen, kept ones and
-- dropped ones (by the allow-list), names and counts only. {dropped_only}: only the names
-- the allow-list dropped; {since}: only names ingestion first met at or after this time.
SELECT event_name, attribute, kept, seen, first_seen, last_seen, app_versions
FROM telemetry_attribute_catalog
WHERE (NOT {dropped_only:Bool} OR NOT kept)
  AND first_loaded >= {since:DateTime64(3, 'UTC')}
ORDER BY event_name, attribute

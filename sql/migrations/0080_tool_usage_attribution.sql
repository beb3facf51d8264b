-- Tool use attributed like the requests: a tool event takes the team, department, cost
-- center, user e-mail, machine, project, repo, branch and provider of its session's requests
-- that day (usage_requests), and its own user id (else the session's), so the dashboard's
-- filters on those columns apply to the tools panel. Columns are added at the end (the
-- contract: add, never rename); the staging twin is made again as a copy; the rollups are
-- rebuilt from their sources once this is applied.
-- rebuilds: tool_usage_daily

ALTER TABLE tool_usage_daily
    ADD COLUMN IF NOT EXISTS user_id String,
    ADD COLUMN IF NOT EXISTS user_email String,
    ADD COLUMN IF NOT EXISTS team LowCardinality(String),
    ADD COLUMN IF NOT EXISTS department LowCardinality(String),
    ADD COLUMN IF NOT EXISTS cost_center LowCardinality(String),
    ADD COLUMN IF NOT EXISTS machine LowCardinality(String),
    ADD COLUMN IF NOT EXISTS project String,
    ADD COLUMN IF NOT EXISTS repo String,
    ADD COLUMN IF NOT EXISTS branch String,
    ADD COLUMN IF NOT EXISTS provider LowCardinality(String);
DROP TABLE IF EXISTS _stage_tool_usage_daily;
CREATE TABLE _stage_tool_usage_daily AS tool_usage_daily;

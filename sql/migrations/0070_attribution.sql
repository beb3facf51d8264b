-- Attribution: who, where and what for each request is (team, user, machine, project, repo,
-- branch, agent, skill, plugin, MCP server, provider), and where its cost comes from (what
-- Claude Code reported, what the price table computes). Columns are added at the end of every
-- table (the contract: add, never rename); the staging twins, scratch tables every refresh
-- empties first, are made again as copies of their tables; the rollups are rebuilt from their
-- sources once this is applied.
-- rebuilds: usage_requests, usage_daily, session_days

-- Transcript lines: the git branch Claude Code wrote (gitBranch) and the machine label the
-- backfill was given (default the host name).
ALTER TABLE transcript_entries
    ADD COLUMN IF NOT EXISTS git_branch String,
    ADD COLUMN IF NOT EXISTS machine LowCardinality(String);

-- The transcript snapshot keeps what attributes a request: its working directory, branch,
-- machine, sub-agent, speed, cache-write split and the cost the line itself recorded.
ALTER TABLE rollup_transcript_requests
    ADD COLUMN IF NOT EXISTS cwd String,
    ADD COLUMN IF NOT EXISTS git_branch String,
    ADD COLUMN IF NOT EXISTS machine LowCardinality(String),
    ADD COLUMN IF NOT EXISTS agent_id String,
    ADD COLUMN IF NOT EXISTS is_sidechain Bool,
    ADD COLUMN IF NOT EXISTS speed LowCardinality(String),
    ADD COLUMN IF NOT EXISTS cache_creation_5m_tokens UInt64,
    ADD COLUMN IF NOT EXISTS cache_creation_1h_tokens UInt64,
    ADD COLUMN IF NOT EXISTS recorded_cost_usd Nullable(Float64);
DROP TABLE IF EXISTS _stage_rollup_transcript_requests;
CREATE TABLE _stage_rollup_transcript_requests AS rollup_transcript_requests;

ALTER TABLE usage_requests
    ADD COLUMN IF NOT EXISTS team LowCardinality(String),
    ADD COLUMN IF NOT EXISTS department LowCardinality(String),
    ADD COLUMN IF NOT EXISTS cost_center LowCardinality(String),
    ADD COLUMN IF NOT EXISTS labels Map(String, String),
    ADD COLUMN IF NOT EXISTS account_uuid String,
    ADD COLUMN IF NOT EXISTS machine LowCardinality(String),
    ADD COLUMN IF NOT EXISTS repo String,
    ADD COLUMN IF NOT EXISTS branch String,
    ADD COLUMN IF NOT EXISTS agent LowCardinality(String),
    ADD COLUMN IF NOT EXISTS skill LowCardinality(String),
    ADD COLUMN IF NOT EXISTS plugin LowCardinality(String),
    ADD COLUMN IF NOT EXISTS mcp_server LowCardinality(String),
    ADD COLUMN IF NOT EXISTS provider LowCardinality(String),
    ADD COLUMN IF NOT EXISTS effort LowCardinality(String),
    ADD COLUMN IF NOT EXISTS speed LowCardinality(String),
    ADD COLUMN IF NOT EXISTS entrypoint LowCardinality(String),
    ADD COLUMN IF NOT EXISTS cache_creation_5m_tokens UInt64,
    ADD COLUMN IF NOT EXISTS cache_creation_1h_tokens UInt64,
    ADD COLUMN IF NOT EXISTS cost_reported_usd Nullable(Float64),
    ADD COLUMN IF NOT EXISTS cost_computed_usd Nullable(Float64);
DROP TABLE IF EXISTS _stage_usage_requests;
CREATE TABLE _stage_usage_requests AS usage_requests;

ALTER TABLE usage_daily
    ADD COLUMN IF NOT EXISTS team LowCardinality(String),
    ADD COLUMN IF NOT EXISTS department LowCardinality(String),
    ADD COLUMN IF NOT EXISTS cost_center LowCardinality(String),
    ADD COLUMN IF NOT EXISTS user_email String,
    ADD COLUMN IF NOT EXISTS machine LowCardinality(String),
    ADD COLUMN IF NOT EXISTS repo String,
    ADD COLUMN IF NOT EXISTS branch String,
    ADD COLUMN IF NOT EXISTS agent LowCardinality(String),
    ADD COLUMN IF NOT EXISTS skill LowCardinality(String),
    ADD COLUMN IF NOT EXISTS plugin LowCardinality(String),
    ADD COLUMN IF NOT EXISTS mcp_server LowCardinality(String),
    ADD COLUMN IF NOT EXISTS provider LowCardinality(String),
    ADD COLUMN IF NOT EXISTS cost_reported_usd Float64,
    ADD COLUMN IF NOT EXISTS cost_computed_usd Float64;
DROP TABLE IF EXISTS _stage_usage_daily;
CREATE TABLE _stage_usage_daily AS usage_daily;

ALTER TABLE session_days
    ADD COLUMN IF NOT EXISTS team LowCardinality(String),
    ADD COLUMN IF NOT EXISTS machine LowCardinality(String),
    ADD COLUMN IF NOT EXISTS repo String,
    ADD COLUMN IF NOT EXISTS branch String,
    ADD COLUMN IF NOT EXISTS cost_reported_usd Float64,
    ADD COLUMN IF NOT EXISTS cost_computed_usd Float64;
DROP TABLE IF EXISTS _stage_session_days;
CREATE TABLE _stage_session_days AS session_days;

-- Rate limits Claude Code reported to the status line: one row per window (five_hour,
-- seven_day) of each observation the `cc-pipeline statusline` command appended to
-- CC_PIPELINE_HOME/limits/*.jsonl. Loaded exactly once by the file tailer, so every row
-- carries the line's `_file_key`/`_offset`.
CREATE TABLE IF NOT EXISTS rate_limit_observations (
    observed_at DateTime64(3, 'UTC'),
    session_id String,
    `window` LowCardinality(String),
    used_percentage Float64,
    resets_at Nullable(DateTime('UTC')),
    _file_key LowCardinality(String),
    _offset UInt64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(observed_at)
ORDER BY (`window`, observed_at, _file_key, _offset)
SETTINGS cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;

-- Copy transcript_requests (the ccusage-rule view over transcript_entries) into the staging
-- twin of rollup_transcript_requests; refresh.py then swaps in only the days that differ.
INSERT INTO _stage_rollup_transcript_requests
SELECT
    toDate(timestamp) AS day,
    timestamp,
    request_id,
    message_id,
    session_id,
    project,
    model,
    input_tokens,
    output_tokens,
    cache_creation_tokens,
    cache_read_tokens,
    cost_usd,
    version,
    cwd,
    git_branch,
    machine,
    agent_id,
    is_sidechain,
    speed,
    cache_creation_5m_tokens,
    cache_creation_1h_tokens,
    recorded_cost_usd
FROM transcript_requests
SETTINGS max_partitions_per_insert_block = 0

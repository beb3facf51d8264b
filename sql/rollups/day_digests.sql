-- A digest per day of a request table (rollup_transcript_requests or its staging twin, the
-- Identifier parameter table): the row count and a sum of hashes over every column a rollup
-- reads, so a day whose rows changed in any of them gets a different digest and is rebuilt.
SELECT
    day,
    count(),
    sum(cityHash64(
        request_id, message_id, session_id, project, timestamp, model, input_tokens,
        output_tokens, cache_creation_tokens, cache_read_tokens, ifNull(cost_usd, -1), cwd,
        git_branch, machine, agent_id, is_sidechain, speed, cache_creation_5m_tokens,
        cache_creation_1h_tokens, ifNull(recorded_cost_usd, -1)
    ))
FROM {table:Identifier}
GROUP BY day

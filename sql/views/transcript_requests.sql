-- One counted entry per API response, the ccusage 20 rule:
--  * lines of one response share (message.id, requestId); the line with the largest token
--    total is kept (then the higher cost, then one that states its speed, then the first line
--    in path and file order);
--  * a sub-agent (sidechain) line that replays a message already answered outside the
--    sidechain under another requestId is dropped; sidechain-only copies of one message under
--    several requestIds count once;
--  * lines without a message.id are each their own entry (keyed by file and uuid, so a
--    rewritten file read again is not counted twice);
--  * `<synthetic>` API-error lines (zero usage) are kept, as ccusage lists their day.
CREATE OR REPLACE VIEW transcript_requests AS
WITH
    keyed AS (
        SELECT
            _file_key,
            _offset,
            is_sidechain,
            if(message_id != '', message_id,
               concat('line:', file_path, ':', if(uuid != '', uuid, toString(_offset)))) AS mkey,
            if(has_request_id, request_id, '\0') AS rkey,
            (-toInt64(total_tokens), -ifNull(cost_usd, 0.), speed = '', file_path, _offset)
                AS rank_key
        FROM transcript_usage_lines
    ),
    groups AS (
        SELECT
            mkey,
            argMin((_file_key, _offset), (is_sidechain, rank_key)) AS winner,
            min(is_sidechain) AS group_sidechain,
            min(rank_key) AS group_rank
        FROM keyed
        GROUP BY mkey, rkey
    ),
    kept AS (
        -- per message: every group answered outside a sidechain, or, when all its groups are
        -- sidechain copies, the best of them
        SELECT arrayJoin(if(min(group_sidechain), [argMin(winner, group_rank)],
                            groupArrayIf(winner, NOT group_sidechain))) AS winner
        FROM groups
        GROUP BY mkey
    )
SELECT
    request_id,
    message_id,
    session_id,
    project,
    assumeNotNull(timestamp) AS timestamp,
    model,
    speed,
    input_tokens,
    output_tokens,
    cache_creation_tokens,
    cache_read_input_tokens AS cache_read_tokens,
    write_5m AS cache_creation_5m_tokens,
    write_1h AS cache_creation_1h_tokens,
    cost_usd,
    price_known,
    is_sidechain,
    is_api_error_message,
    agent_id,
    cwd,
    git_branch,
    machine,
    recorded_cost_usd,
    version,
    usage_source,
    file_path,
    _file_key,
    _offset
FROM transcript_usage_lines
WHERE (_file_key, _offset) IN (SELECT winner FROM kept);

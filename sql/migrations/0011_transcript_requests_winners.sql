-- transcript_requests, same columns and rule as in 0010, computed faster: the counting rule
-- picks one winning line per request by its (_file_key, _offset) with a single aggregate,
-- and the winners' columns are then read once, instead of one aggregate per column.
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
    version,
    usage_source,
    file_path,
    _file_key,
    _offset
FROM transcript_usage_lines
WHERE (_file_key, _offset) IN (SELECT winner FROM kept);

-- Transcript lines of one batch -> _batch_transcript_entries: metadata only, one row per line,
-- split out of the framed blobs, validated (UTF-8, JSON, an object) and parsed in one pass.
-- Per file, the blobs table (Identifier parameter blobs: _staging_transcript_blobs, or the
-- File table of spool_blobs.sql over the spool files) gives file_key, file_path, root, kind
-- ('session' | 'subagent' | 'other'), project (encoded folder), session (session id from the
-- path; a sub-agent's parent session) and agent (agent id from the path).
--
-- Usage sits in `message.usage` (assistant lines) or, in older versions, in sub-agent
-- messages replayed inside `progress` lines (`data.message.message.usage`). A line is
-- countable under the same conditions as ccusage 20's loader: the usage object is written as
-- `"usage":{`, no field ccusage reads is null, input/output tokens are present and every
-- token count is a non-negative integer, the timestamp parses, and version, sessionId,
-- requestId, message.id and model are not empty when present. The parse is one JSONExtract
-- per line; token counts are checked on their raw JSON text (a float or negative count makes
-- the line quarantined, not silently truncated), and so are values out of their sane range
-- (token counts above 10^9, a timestamp outside 2000..2099, a cost not within 0..10^6 USD).
-- Every line also carries the git branch Claude Code wrote (gitBranch) and the machine label
-- of the run ({machine}: the backfill's --machine, default the host name).
INSERT INTO _batch_transcript_entries
SELECT
    b_file_key AS _file_key,
    offset AS _offset,
    length(line) + 1 AS line_length,
    b_root AS root,
    b_file_path AS file_path,
    b_kind AS file_kind,
    b_project AS project,
    if(b_kind = 'subagent' OR ifNull(j.sessionId, '') = '',
       b_session, assumeNotNull(j.sessionId)) AS session_id,
    coalesce(nullIf(j.agentId, ''), nullIf(j.data.agentId, ''), b_agent) AS agent_id,
    ifNull(j.type, '') AS entry_type,
    coalesce(j.subtype, j.data.type, '') AS entry_subtype,
    ifNull(j.uuid, '') AS uuid,
    parseDateTime64BestEffortOrNull(ifNull(ts_raw, ''), 3, 'UTC') AS timestamp,
    ifNull(j.cwd, '') AS cwd,
    ifNull(j.version, '') AS version,
    ifNull(sidechain_raw, false) AS is_sidechain,
    ifNull(j.isApiErrorMessage, false) AS is_api_error_message,
    usage_source,
    ifNull(msg.id, '') AS message_id,
    ifNull(request_raw, '') AS request_id,
    request_raw IS NOT NULL AS has_request_id,
    ifNull(msg.model, '') AS model,
    replaceAll(u['speed'], '"', '') AS speed,
    toUInt64OrZero(u['input_tokens']) AS input_tokens,
    toUInt64OrZero(u['output_tokens']) AS output_tokens,
    toUInt64OrZero(u['cache_creation_input_tokens']) AS cache_creation_input_tokens,
    toUInt64OrZero(u['cache_read_input_tokens']) AS cache_read_input_tokens,
    toUInt64OrZero(cc['ephemeral_5m_input_tokens']) AS cache_creation_5m_tokens,
    toUInt64OrZero(cc['ephemeral_1h_input_tokens']) AS cache_creation_1h_tokens,
    has_breakdown AS has_cache_breakdown,
    if(has_breakdown, cache_creation_5m_tokens + cache_creation_1h_tokens,
       cache_creation_input_tokens) AS cache_creation_tokens,
    cost_raw AS recorded_cost_usd,
    arrayMap(c -> c.name, arrayFilter(c -> c.type = 'tool_use', j.message.content)) AS tool_names,
    length(tool_names) AS tool_use_count,
    usage_source != '' AND skip_reason = '' AS countable,
    multiIf(
        usage_source = '', '',
        notEmpty(bad_fields),
            concat('token count missing or not a non-negative integer: ', arrayStringConcat(bad_fields, ', ')),
        notEmpty(out_of_range),
            concat('value out of range: ', arrayStringConcat(out_of_range, ', ')),
        NOT has_marker, 'usage not written as "usage":{ (ccusage skips the line)',
        null_field, 'a field ccusage reads is null (ccusage skips the line)',
        timestamp IS NULL, 'timestamp missing or not a date',
        usage_source = 'message' AND j.version IS NOT NULL
            AND NOT match(assumeNotNull(j.version), '^[0-9]+\\.[0-9]+\\.[0-9]'),
            'version is not a version number',
        usage_source = 'message' AND j.sessionId = '', 'empty sessionId',
        request_raw = '', 'empty requestId',
        msg.id = '', 'empty message.id',
        msg.model = '', 'empty model',
        '') AS skip_reason,
    now64(3) AS loaded_at,
    ifNull(j.gitBranch, '') AS git_branch,
    {machine:String} AS machine,
    problem AS _problem,
    problem != '' OR notEmpty(bad_fields) OR notEmpty(out_of_range) AS _quarantine
FROM (
    SELECT
        file_key AS b_file_key,
        file_path AS b_file_path,
        root AS b_root,
        kind AS b_kind,
        project AS b_project,
        session AS b_session,
        agent AS b_agent,
        offset,
        line,
        -- Every Claude Code line is an object with a "type", and JSONExtract yields none
        -- from a line that does not parse: only the other lines are validated, a second
        -- pass over few lines.
        if(j.type IS NOT NULL AND startsWith(line, '{'), '', multiIf(
            NOT isValidJSON(line),  -- also fails on invalid UTF-8; tell the two apart
                if(isValidUTF8(line), 'invalid JSON (malformed or truncated line)',
                   'invalid UTF-8'),
            NOT (startsWith(line, '{') OR match(line, '^[ \\t\\r]+\\{')),
                'valid JSON but not an object',
            '')) AS problem,
        position(line, '"usage":{') > 0 AS has_marker,
        has_marker AND match(line,
            '"(id|cwd|model|speed|costUSD|version|sessionId|requestId|isApiErrorMessage|cache_read_input_tokens|cache_creation_input_tokens)"[^"]*:null')
            AS null_field,
        JSONExtract(line, 'Tuple(
            type Nullable(String),
            subtype Nullable(String),
            timestamp Nullable(String),
            sessionId Nullable(String),
            uuid Nullable(String),
            cwd Nullable(String),
            gitBranch Nullable(String),
            version Nullable(String),
            agentId Nullable(String),
            isSidechain Nullable(Bool),
            isApiErrorMessage Nullable(Bool),
            requestId Nullable(String),
            costUSD Nullable(Float64),
            message Tuple(
                id Nullable(String),
                model Nullable(String),
                usage Nullable(String),
                content Array(Tuple(type String, name String))),
            data Tuple(
                type Nullable(String),
                agentId Nullable(String),
                message Tuple(
                    timestamp Nullable(String),
                    requestId Nullable(String),
                    isSidechain Nullable(Bool),
                    costUSD Nullable(Float64),
                    message Tuple(
                        id Nullable(String),
                        model Nullable(String),
                        usage Nullable(String)))))') AS j,
        multiIf(startsWith(ifNull(j.message.usage, ''), '{'), 'message',
                startsWith(ifNull(j.data.message.message.usage, ''), '{'), 'agent_progress',
                '') AS usage_source,
        if(usage_source = 'agent_progress',
           CAST((j.data.message.message.id, j.data.message.message.model),
                'Tuple(id Nullable(String), model Nullable(String))'),
           CAST((j.message.id, j.message.model),
                'Tuple(id Nullable(String), model Nullable(String))')) AS msg,
        if(usage_source = 'agent_progress', j.data.message.timestamp, j.timestamp) AS ts_raw,
        if(usage_source = 'agent_progress', j.data.message.requestId, j.requestId) AS request_raw,
        if(usage_source = 'agent_progress', j.data.message.isSidechain, j.isSidechain) AS sidechain_raw,
        if(usage_source = 'agent_progress', j.data.message.costUSD, j.costUSD) AS cost_raw,
        CAST(JSONExtractKeysAndValuesRaw(multiIf(
                usage_source = 'message', assumeNotNull(j.message.usage),
                usage_source = 'agent_progress', assumeNotNull(j.data.message.message.usage),
                '')), 'Map(String, String)') AS u,
        startsWith(u['cache_creation'], '{') AS has_breakdown,
        CAST(JSONExtractKeysAndValuesRaw(if(has_breakdown, u['cache_creation'], '')),
             'Map(String, String)') AS cc,
        -- usage fields that are missing (input/output) or not a non-negative integer
        if(usage_source = '', CAST([], 'Array(String)'), arrayFilter(x -> x != '', [
            if(match(u['input_tokens'], '^[0-9]{1,19}$'), '', 'input_tokens'),
            if(match(u['output_tokens'], '^[0-9]{1,19}$'), '', 'output_tokens'),
            if(match(u['cache_creation_input_tokens'], '^([0-9]{1,19}|null)?$'), '',
               'cache_creation_input_tokens'),
            if(match(u['cache_read_input_tokens'], '^([0-9]{1,19}|null)?$'), '',
               'cache_read_input_tokens'),
            if(match(cc['ephemeral_5m_input_tokens'], '^[0-9]{0,19}$'), '',
               'cache_creation.ephemeral_5m_input_tokens'),
            if(match(cc['ephemeral_1h_input_tokens'], '^[0-9]{0,19}$'), '',
               'cache_creation.ephemeral_1h_input_tokens'),
            if(u['speed'] IN ('', '"standard"', '"fast"', 'null'), '', 'speed')])) AS bad_fields,
        -- usage values out of their sane range (docs/rollups.md, "Sane ranges"): counted
        -- they would wrap a sum or land on another day
        if(usage_source = '', CAST([], 'Array(String)'), arrayFilter(x -> x != '', [
            if(arrayExists(f -> toFloat64OrZero(f) > 1e9,
                           [u['input_tokens'], u['output_tokens'],
                            u['cache_creation_input_tokens'], u['cache_read_input_tokens'],
                            cc['ephemeral_5m_input_tokens'], cc['ephemeral_1h_input_tokens']]),
               'a token count above 10^9', ''),
            if(ifNull(parseDateTime64BestEffortOrNull(ifNull(ts_raw, ''), 3, 'UTC')
                          NOT BETWEEN toDateTime64('2000-01-01 00:00:00', 3, 'UTC')
                              AND toDateTime64('2099-12-31 23:59:59.999', 3, 'UTC'), false),
               'timestamp not within 2000..2099', ''),
            if(ifNull(NOT (cost_raw BETWEEN 0 AND 1e6), false),
               'costUSD not a cost within 0..10^6 USD', '')])) AS out_of_range
    FROM {blobs:Identifier}
    ARRAY JOIN offsets AS offset, splitByChar('\n', lines) AS line
)

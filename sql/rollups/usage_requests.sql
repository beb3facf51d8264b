-- One row per request of the given days from both sources, attributed.
-- * Matched on request_id within a day either side, so a request logged just before
--   midnight by one source and just after by the other is still counted once.
-- * Telemetry wins for tokens, cost and timing; the transcript fills the working directory,
--   git branch and machine label (and the session's transcripts on any day fill them for its
--   telemetry-only requests, whichever source arrived first).
-- * Who (user, e-mail, account, team, department, cost center, labels, entry point) comes from
--   the request's telemetry, else from its session's telemetry of the same day (so a
--   transcript-only request of a session with telemetry that day is attributed too).
-- * project: the session's outermost working directory (transcript `cwd`) that holds the
--   request's; else the encoded project folder. repo: the last path component of project
--   (Claude Code writes no repository root: a session started in a repository's subfolder
--   names that subfolder). branch: the transcript's `gitBranch`, else the session's latest.
-- * machine: the transcript's machine label (the backfill's --machine), else the session's,
--   else telemetry's `host`.
-- * agent: telemetry's agent name; else `subagent` for a sub-agent's request (agent id,
--   query_source `subagent`, or a sidechain transcript line); else `main`.
-- * provider: the host of a custom API base URL (a gateway); else `bedrock`, `vertex` or
--   `foundry` from `anthropic.provider` or the model name's shape; else `first party`.
-- * Cost: cost_usd is telemetry's cost, else the transcript's price (the ccusage rule);
--   cost_reported_usd is what Claude Code reported (telemetry `cost_usd`, else a transcript
--   line's `costUSD`); cost_computed_usd is the price table's cost of the request's tokens,
--   with telemetry's 5m/1h cache-write split when present, else the transcript's (when its
--   cache-write total agrees), else every cache write at the 5-minute price; NULL when the
--   model has no price.
-- * Several transcript messages of one request_id (an API-error line sharing it) are one row:
--   tokens and cost summed, model, timestamp and session taken from the largest message.
-- * Rows without a request_id cannot be matched; each stays its own row, keyed
--   'telemetry:<session>:<sequence>:<time>' or 'transcript:<session>:<message>:<time>'.
-- The day of a row is the day of its telemetry timestamp, else of its transcript timestamp.
INSERT INTO _stage_usage_requests
WITH
    toDate({lo:DateTime64(3, 'UTC')}) - 1 AS lo_day,
    toDate({hi:DateTime64(3, 'UTC')}) + 1 AS hi_day,
    (SELECT groupArray(model) FROM transcript_prices) AS priced_models,
    tel_raw AS (
        SELECT
            timestamp, session_id, user_id, organization_id, user_email, terminal_type,
            app_version, event_sequence, model, request_id, input_tokens, output_tokens,
            cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, ttft_ms,
            query_source,
            team, department, cost_center, labels, account_uuid, host, entrypoint,
            agent_name, agent_id, skill_name, plugin_name, mcp_server_name, provider,
            custom_base_url, effort, speed,
            ifNull(cache_creation_5m_tokens, 0) AS cache_5m,
            ifNull(cache_creation_1h_tokens, 0) AS cache_1h
        FROM cc_api_requests
        WHERE log_time >= toDateTime(lo_day, 'UTC') - INTERVAL 1 HOUR
          AND log_time <= toDateTime(hi_day, 'UTC') + INTERVAL 1 HOUR
          AND log_timestamp >= toDateTime64(lo_day, 9, 'UTC') - INTERVAL 1 HOUR
          AND log_timestamp < toDateTime64(hi_day, 9, 'UTC') + INTERVAL 1 HOUR
          AND toDate(timestamp) >= lo_day AND toDate(timestamp) < hi_day
    ),
    tel AS (
        SELECT * FROM tel_raw WHERE request_id != ''
        ORDER BY timestamp, event_sequence
        LIMIT 1 BY request_id
    ),
    -- who a session was on each day, from its telemetry of that day
    tel_sessions AS (
        SELECT
            session_id,
            toDate(timestamp) AS day,
            argMax(user_id, user_id != '') AS user_id,
            argMax(organization_id, organization_id != '') AS organization_id,
            argMax(user_email, user_email != '') AS user_email,
            argMax(terminal_type, terminal_type != '') AS terminal_type,
            argMax(team, team != '') AS team,
            argMax(department, department != '') AS department,
            argMax(cost_center, cost_center != '') AS cost_center,
            argMax(labels, length(labels)) AS labels,
            argMax(account_uuid, account_uuid != '') AS account_uuid,
            argMax(host, host != '') AS host,
            argMax(entrypoint, entrypoint != '') AS entrypoint,
            argMax(provider, provider != '') AS provider,
            argMax(custom_base_url, custom_base_url != '') AS custom_base_url
        FROM tel_raw
        WHERE session_id != ''
        GROUP BY session_id, day
    ),
    tr_raw AS (
        SELECT
            *,
            input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens AS total,
            model != '<synthetic>' AS is_real,
            (is_real, total, timestamp) AS rank,
            cost_usd IS NULL AND total > 0 AS unpriced
        FROM rollup_transcript_requests
        WHERE day >= lo_day AND day < hi_day
    ),
    -- where a session ran, from its transcripts on any day, so a day rebuilt alone is
    -- attributed as a full rebuild attributes it
    tr_sessions AS (
        SELECT
            session_id,
            argMax(project, project != '') AS folder,
            argMin(cwd, (cwd = '', timestamp)) AS first_cwd,
            arraySort(p -> length(p), groupUniqArrayIf(cwd, cwd != '')) AS cwds,
            argMax(git_branch, (git_branch != '', timestamp)) AS branch,
            argMax(machine, (machine != '', timestamp)) AS machine
        FROM rollup_transcript_requests
        WHERE session_id IN (SELECT session_id FROM tel_raw WHERE session_id != ''
                             UNION DISTINCT
                             SELECT session_id FROM tr_raw WHERE session_id != '')
        GROUP BY session_id
    ),
    tr AS (
        SELECT
            request_id,
            argMax(timestamp, rank) AS timestamp,
            argMax(session_id, rank) AS session_id,
            argMax(project, rank) AS project,
            argMax(model, rank) AS model,
            argMax(version, rank) AS version,
            argMax(cwd, rank) AS cwd,
            argMax(git_branch, rank) AS git_branch,
            argMax(machine, rank) AS machine,
            argMax(speed, rank) AS speed,
            max(is_sidechain OR agent_id != '') AS sidechain,
            sum(input_tokens) AS input_tokens,
            sum(output_tokens) AS output_tokens,
            sum(cache_creation_tokens) AS cache_creation_tokens,
            sum(cache_read_tokens) AS cache_read_tokens,
            sum(cache_creation_5m_tokens) AS cache_5m,
            sum(cache_creation_1h_tokens) AS cache_1h,
            sum(ifNull(cost_usd, 0)) AS cost_usd,
            if(countIf(recorded_cost_usd IS NOT NULL) = 0, NULL,
               sum(ifNull(recorded_cost_usd, 0))) AS recorded_cost_usd,
            countIf(unpriced) = 0 AS cost_known,
            toUInt32(countIf(is_real)) AS entries
        FROM tr_raw
        WHERE request_id != ''
        GROUP BY request_id
    ),
    combined AS (
        SELECT
            if(t.request_id IS NOT NULL, 'telemetry', 'transcript') AS first_source,
            coalesce(t.timestamp, r.timestamp) AS timestamp,
            coalesce(t.request_id, r.request_id) AS request_id,
            coalesce(nullIf(t.session_id, ''), r.session_id, '') AS session_id,
            coalesce(nullIf(r.project, ''), '') AS folder,
            coalesce(t.user_id, '') AS user_id,
            coalesce(t.organization_id, '') AS organization_id,
            coalesce(t.user_email, '') AS user_email,
            coalesce(t.terminal_type, '') AS terminal_type,
            coalesce(nullIf(t.model, ''), r.model, '') AS model,
            coalesce(t.input_tokens, r.input_tokens, 0) AS input_tokens,
            coalesce(t.output_tokens, r.output_tokens, 0) AS output_tokens,
            coalesce(t.cache_read_tokens, r.cache_read_tokens, 0) AS cache_read_tokens,
            coalesce(t.cache_creation_tokens, r.cache_creation_tokens, 0) AS cache_creation_tokens,
            coalesce(t.cost_usd, r.cost_usd, 0) AS cost_usd,
            t.request_id IS NOT NULL OR coalesce(r.cost_known, true) AS cost_known,
            t.duration_ms AS duration_ms,
            t.ttft_ms AS ttft_ms,
            coalesce(t.query_source, '') AS query_source,
            coalesce(nullIf(t.app_version, ''), r.version, '') AS app_version,
            multiIf(t.request_id IS NOT NULL AND r.request_id IS NOT NULL, 'both',
                    t.request_id IS NOT NULL, 'telemetry', 'transcript') AS source,
            if(r.request_id IS NOT NULL, greatest(r.entries, toUInt32(t.request_id IS NOT NULL)),
               toUInt32(1)) AS entries,
            coalesce(t.team, '') AS team,
            coalesce(t.department, '') AS department,
            coalesce(t.cost_center, '') AS cost_center,
            t.labels AS labels,
            coalesce(t.account_uuid, '') AS account_uuid,
            coalesce(t.host, '') AS host,
            coalesce(t.entrypoint, '') AS entrypoint,
            coalesce(t.provider, '') AS provider,
            coalesce(t.custom_base_url, '') AS custom_base_url,
            coalesce(r.cwd, '') AS cwd,
            coalesce(r.git_branch, '') AS git_branch,
            coalesce(r.machine, '') AS machine,
            multiIf(coalesce(t.agent_name, '') != '', assumeNotNull(t.agent_name),
                    coalesce(t.agent_id, '') != '' OR coalesce(t.query_source, '') = 'subagent'
                        OR coalesce(r.sidechain, false), 'subagent',
                    'main') AS agent,
            coalesce(t.skill_name, '') AS skill,
            coalesce(t.plugin_name, '') AS plugin,
            coalesce(t.mcp_server_name, '') AS mcp_server,
            coalesce(t.effort, '') AS effort,
            coalesce(nullIf(t.speed, ''), r.speed, '') AS speed,
            -- the cache-write split: telemetry's, else the transcript's when its total agrees
            multiIf(coalesce(t.cache_5m + t.cache_1h, 0) > 0,
                        (assumeNotNull(t.cache_5m), assumeNotNull(t.cache_1h)),
                    r.request_id IS NOT NULL AND r.cache_5m + r.cache_1h = cache_creation_tokens,
                        (assumeNotNull(r.cache_5m), assumeNotNull(r.cache_1h)),
                    (cache_creation_tokens, toUInt64(0))) AS cache_split,
            if(t.request_id IS NOT NULL, t.cost_usd, r.recorded_cost_usd) AS cost_reported_usd
        FROM tel AS t
        FULL OUTER JOIN tr AS r ON t.request_id = r.request_id
        UNION ALL
        SELECT
            'telemetry', timestamp, '', session_id, '', user_id, organization_id, user_email,
            terminal_type, model, input_tokens, output_tokens, cache_read_tokens,
            cache_creation_tokens, cost_usd, true, duration_ms, ttft_ms, query_source,
            app_version, 'telemetry', toUInt32(1),
            team, department, cost_center, labels, account_uuid, host, entrypoint, provider,
            custom_base_url, '', '', '',
            multiIf(agent_name != '', agent_name,
                    agent_id != '' OR query_source = 'subagent', 'subagent', 'main'),
            skill_name, plugin_name, mcp_server_name, effort, speed,
            if(cache_5m + cache_1h > 0, (cache_5m, cache_1h),
               (cache_creation_tokens, toUInt64(0))),
            cost_usd
        FROM tel_raw
        WHERE request_id = ''
        UNION ALL
        SELECT
            'transcript', timestamp, '', session_id, project, '', '', '', '', model,
            input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,
            ifNull(cost_usd, 0), cost_usd IS NOT NULL OR total = 0, NULL, NULL, '', version,
            'transcript', toUInt32(model != '<synthetic>'),
            '', '', '', CAST(map(), 'Map(String, String)'), '', '', '', '', '', cwd, git_branch,
            machine,
            if(is_sidechain OR agent_id != '', 'subagent', 'main'), '', '', '', '', speed,
            (cache_creation_5m_tokens, cache_creation_1h_tokens), recorded_cost_usd
        FROM tr_raw
        WHERE request_id = ''
    ),
    attributed AS (
        SELECT
            toDate(c.timestamp) AS day,
            c.first_source AS first_source, c.timestamp AS timestamp,
            c.request_id AS request_id, c.session_id AS session_id, c.folder AS folder,
            c.user_id AS user_id, c.organization_id AS organization_id,
            c.user_email AS user_email, c.terminal_type AS terminal_type, c.model AS model,
            c.input_tokens AS input_tokens, c.output_tokens AS output_tokens,
            c.cache_read_tokens AS cache_read_tokens,
            c.cache_creation_tokens AS cache_creation_tokens, c.cost_usd AS cost_usd,
            c.cost_known AS cost_known, c.duration_ms AS duration_ms, c.ttft_ms AS ttft_ms,
            c.query_source AS query_source, c.app_version AS app_version, c.source AS source,
            c.entries AS entries, c.team AS team, c.department AS department,
            c.cost_center AS cost_center, c.labels AS labels, c.account_uuid AS account_uuid,
            c.agent AS agent, c.skill AS skill, c.plugin AS plugin, c.mcp_server AS mcp_server,
            c.effort AS effort, c.speed AS speed, c.cache_split AS cache_split,
            c.cost_reported_usd AS cost_reported_usd,
            if(c.cwd != '', c.cwd, ifNull(ts.first_cwd, '')) AS work_dir,
            -- the session's outermost working directory holding this one
            if(work_dir = '', '',
               arrayFirst(p -> work_dir = p OR startsWith(work_dir, concat(p, '/'))
                               OR startsWith(work_dir, concat(p, '\\')),
                          arrayPushBack(ts.cwds, work_dir))) AS root,
            if(c.git_branch != '', c.git_branch, ifNull(ts.branch, '')) AS session_branch,
            multiIf(c.machine != '', c.machine, ifNull(ts.machine, '') != '',
                    assumeNotNull(ts.machine), c.host != '', c.host, ifNull(te.host, '')) AS machine_label,
            if(c.custom_base_url != '', c.custom_base_url, ifNull(te.custom_base_url, '')) AS base_url,
            lower(if(c.provider != '', c.provider, ifNull(te.provider, ''))) AS provider_attr,
            if(c.entrypoint != '', c.entrypoint, ifNull(te.entrypoint, '')) AS entry,
            ts.folder AS session_folder,
            te.user_id AS s_user_id, te.organization_id AS s_organization_id,
            te.user_email AS s_user_email, te.terminal_type AS s_terminal_type,
            te.team AS s_team, te.department AS s_department, te.cost_center AS s_cost_center,
            te.labels AS s_labels, te.account_uuid AS s_account_uuid,
            replaceRegexpAll(
                replaceRegexpOne(
                    replaceRegexpOne(
                        replaceRegexpOne(lower(c.model), '^.*/', ''),
                        '^((us|eu|apac|global|jp|au)\\.)?anthropic\\.', ''),
                    '-v[0-9]+(:[0-9]+)?$', ''),
                '[@.]', '-') AS model_key,
            if(has(priced_models, c.model), c.model,
               if(has(priced_models, model_key), model_key,
                  replaceRegexpOne(model_key, '-[0-9]{8}$', ''))) AS price_lookup
        FROM combined AS c
        LEFT JOIN tr_sessions AS ts ON ts.session_id = c.session_id
        LEFT JOIN tel_sessions AS te ON te.session_id = c.session_id AND te.day = toDate(c.timestamp)
        WHERE day IN {days:Array(Date)}
    )
SELECT
    a.day,
    a.timestamp,
    multiIf(
        a.request_id != '', a.request_id,
        a.first_source = 'telemetry',
        concat('telemetry:', a.session_id, ':', toString(cityHash64(a.timestamp, a.model, a.input_tokens, a.output_tokens)), ':', toString(a.timestamp)),
        concat('transcript:', a.session_id, ':', toString(cityHash64(a.timestamp, a.model, a.input_tokens, a.output_tokens)), ':', toString(a.timestamp))
    ) AS request_key,
    a.request_id,
    a.session_id,
    multiIf(a.root != '', a.root, a.folder != '', a.folder, ifNull(a.session_folder, '')) AS project,
    if(a.user_id != '', a.user_id, ifNull(a.s_user_id, '')) AS user_id,
    if(a.organization_id != '', a.organization_id, ifNull(a.s_organization_id, '')) AS organization_id,
    if(a.user_email != '', a.user_email, ifNull(a.s_user_email, '')) AS user_email,
    if(a.terminal_type != '', a.terminal_type, ifNull(a.s_terminal_type, '')) AS terminal_type,
    a.model,
    a.input_tokens,
    a.output_tokens,
    a.cache_read_tokens,
    a.cache_creation_tokens,
    a.input_tokens + a.output_tokens + a.cache_read_tokens + a.cache_creation_tokens AS total_tokens,
    a.cost_usd,
    a.cost_known,
    a.duration_ms,
    a.ttft_ms,
    a.query_source,
    a.app_version,
    a.source,
    a.entries,
    if(a.team != '', a.team, ifNull(a.s_team, '')) AS team,
    if(a.department != '', a.department, ifNull(a.s_department, '')) AS department,
    if(a.cost_center != '', a.cost_center, ifNull(a.s_cost_center, '')) AS cost_center,
    if(notEmpty(a.labels), a.labels, a.s_labels) AS labels,
    if(a.account_uuid != '', a.account_uuid, ifNull(a.s_account_uuid, '')) AS account_uuid,
    a.machine_label AS machine,
    if(a.root = '', '', replaceRegexpOne(replaceRegexpOne(a.root, '[/\\\\]+$', ''), '^.*[/\\\\]', '')) AS repo,
    a.session_branch AS branch,
    a.agent,
    a.skill,
    a.plugin,
    a.mcp_server,
    multiIf(
        a.base_url != '', if(domain(a.base_url) != '', domain(a.base_url), a.base_url),
        a.provider_attr NOT IN ('', 'firstparty', 'first_party', 'first party', 'anthropic'),
            a.provider_attr,
        match(lower(a.model), '^((us|eu|apac|global|jp|au)\\.)?anthropic\\.'), 'bedrock',
        position(a.model, '@') > 0, 'vertex',
        'first party') AS provider,
    a.effort,
    a.speed,
    a.entry AS entrypoint,
    a.cache_split.1 AS cache_creation_5m_tokens,
    a.cache_split.2 AS cache_creation_1h_tokens,
    a.cost_reported_usd,
    multiIf(
        a.model = '' OR a.model = '<synthetic>', 0.,
        ifNull(p.p_model, '') = '', if(total_tokens = 0, 0., NULL),
        (
            if(a.input_tokens > p.p_tier AND p.p_input_above IS NOT NULL,
               p.p_tier * p.p_input + (a.input_tokens - p.p_tier) * assumeNotNull(p.p_input_above),
               a.input_tokens * p.p_input)
          + if(a.output_tokens > p.p_tier AND p.p_output_above IS NOT NULL,
               p.p_tier * p.p_output + (a.output_tokens - p.p_tier) * assumeNotNull(p.p_output_above),
               a.output_tokens * p.p_output)
          + if(a.cache_split.1 > p.p_tier AND p.p_write_5m_above IS NOT NULL,
               p.p_tier * p.p_write_5m + (a.cache_split.1 - p.p_tier) * assumeNotNull(p.p_write_5m_above),
               a.cache_split.1 * p.p_write_5m)
          + if(a.cache_split.2 > p.p_tier AND p.p_write_1h_above IS NOT NULL,
               p.p_tier * p.p_write_1h + (a.cache_split.2 - p.p_tier) * assumeNotNull(p.p_write_1h_above),
               a.cache_split.2 * p.p_write_1h)
          + if(a.cache_read_tokens > p.p_tier AND p.p_read_above IS NOT NULL,
               p.p_tier * p.p_read + (a.cache_read_tokens - p.p_tier) * assumeNotNull(p.p_read_above),
               a.cache_read_tokens * p.p_read)
        ) / 1e6 * if(a.speed = 'fast', p.p_fast_multiplier, 1.)
    ) AS cost_computed_usd
FROM attributed AS a
LEFT JOIN (
    SELECT
        model AS p_model,
        input AS p_input,
        output AS p_output,
        cache_write_5m AS p_write_5m,
        cache_write_1h AS p_write_1h,
        cache_read AS p_read,
        tier_threshold AS p_tier,
        input_above AS p_input_above,
        output_above AS p_output_above,
        cache_write_5m_above AS p_write_5m_above,
        cache_write_1h_above AS p_write_1h_above,
        cache_read_above AS p_read_above,
        fast_multiplier AS p_fast_multiplier
    FROM transcript_prices
) AS p ON p.p_model = a.price_lookup
SETTINGS join_use_nulls = 1

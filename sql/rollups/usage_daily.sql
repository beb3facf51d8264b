-- Day x model x user x organization x project x the attribution dimensions (team, department,
-- cost center, e-mail, machine, repo, branch, agent, skill, plugin, MCP server, provider) from
-- usage_requests. `sessions` counts distinct sessions within the row (not additive across
-- rows). cost_reported_usd and cost_computed_usd sum what Claude Code reported and what the
-- price table computes (an unpriced or unreported request adds 0).
INSERT INTO _stage_usage_daily
SELECT
    day,
    model,
    user_id,
    organization_id,
    project,
    count() AS requests,
    uniqExactIf(session_id, session_id != '') AS sessions,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(cache_creation_tokens) AS cache_creation_tokens,
    sum(total_tokens) AS total_tokens,
    sum(cost_usd) AS cost_usd,
    if(input_tokens + cache_read_tokens + cache_creation_tokens = 0, 0,
       cache_read_tokens / (input_tokens + cache_read_tokens + cache_creation_tokens)) AS cache_hit_ratio,
    countIf(source = 'telemetry') AS telemetry_only_requests,
    countIf(source = 'transcript') AS transcript_only_requests,
    countIf(source = 'both') AS both_requests,
    team,
    department,
    cost_center,
    user_email,
    machine,
    repo,
    branch,
    agent,
    skill,
    plugin,
    mcp_server,
    provider,
    sum(ifNull(cost_reported_usd, 0)) AS cost_reported_usd,
    sum(ifNull(cost_computed_usd, 0)) AS cost_computed_usd
FROM usage_requests
WHERE day IN {days:Array(Date)}
GROUP BY day, model, user_id, organization_id, project, team, department, cost_center,
         user_email, machine, repo, branch, agent, skill, plugin, mcp_server, provider

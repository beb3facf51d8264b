-- Tool x day x attribution: calls and outcomes from tool_result events, decisions from
-- tool_decision. Tool events carry no cost attribution of their own: each takes the team,
-- department, cost center, user e-mail, machine, project, repo, branch and provider of its
-- session's requests on the same UTC day (a non-empty value where several differ, as
-- session_days does; '' when the session made no request that day), and its own user id,
-- else the session's. Model, agent, skill, plugin and MCP server belong to a request, not to
-- a tool call: tool rows have none.
INSERT INTO _stage_tool_usage_daily
WITH session_attribution AS (
    SELECT
        day, session_id,
        argMax(user_id, user_id != '') AS s_user_id,
        argMax(user_email, user_email != '') AS s_user_email,
        argMax(team, team != '') AS s_team,
        argMax(department, department != '') AS s_department,
        argMax(cost_center, cost_center != '') AS s_cost_center,
        argMax(machine, machine != '') AS s_machine,
        argMax(project, project != '') AS s_project,
        argMax(repo, repo != '') AS s_repo,
        argMax(branch, branch != '') AS s_branch,
        argMax(provider, provider != '') AS s_provider
    FROM usage_requests
    WHERE day IN {days:Array(Date)} AND session_id != ''
    GROUP BY day, session_id
)
SELECT
    e.day AS day,
    e.tool_name AS tool_name,
    countIf(e.event_name = 'tool_result') AS calls,
    countIf(e.event_name = 'tool_result' AND e.success) AS successes,
    countIf(e.event_name = 'tool_result' AND NOT e.success) AS failures,
    if(calls = 0, NULL, successes / calls) AS success_rate,
    quantileExactIf(0.5)(e.duration_ms, e.event_name = 'tool_result' AND e.duration_ms IS NOT NULL) AS duration_p50_ms,
    quantileExactIf(0.95)(e.duration_ms, e.event_name = 'tool_result' AND e.duration_ms IS NOT NULL) AS duration_p95_ms,
    countIf(e.event_name = 'tool_decision' AND e.decision = 'accept') AS accepts,
    countIf(e.event_name = 'tool_decision' AND e.decision = 'reject') AS rejects,
    if(e.user_id != '', e.user_id, s.s_user_id) AS user_id,
    s.s_user_email AS user_email,
    s.s_team AS team,
    s.s_department AS department,
    s.s_cost_center AS cost_center,
    s.s_machine AS machine,
    s.s_project AS project,
    s.s_repo AS repo,
    s.s_branch AS branch,
    s.s_provider AS provider
FROM _rollup_events AS e
LEFT JOIN session_attribution AS s ON s.day = e.day AND s.session_id = e.session_id
WHERE e.event_name IN ('tool_result', 'tool_decision') AND e.tool_name != ''
GROUP BY day, tool_name, user_id, user_email, team, department, cost_center, machine, project,
         repo, branch, provider

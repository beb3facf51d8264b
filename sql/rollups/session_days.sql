-- Per session and day: requests and tokens from usage_requests, prompts, tools and errors
-- from the batch's events, active time and code changes from the metric deltas. The team,
-- machine, repo and branch of a session's day are those of its requests (a non-empty one
-- where several differ); its reported and computed costs are their sums.
INSERT INTO _stage_session_days
WITH parts AS (
    SELECT
        day, session_id, user_id, organization_id, project,
        min(timestamp) AS first_seen, max(timestamp) AS last_seen,
        groupUniqArrayIf(model, model != '<synthetic>' AND model != '') AS models,
        count() AS api_requests,
        sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
        sum(cache_read_tokens) AS cache_read_tokens,
        sum(cache_creation_tokens) AS cache_creation_tokens,
        sum(cost_usd) AS cost_usd,
        0 AS prompts, 0 AS tool_calls, 0 AS tool_failures, 0 AS api_errors,
        0. AS active_time_user_s, 0. AS active_time_cli_s, 0. AS lines_added,
        0. AS lines_removed, 0. AS commits, 0. AS pull_requests,
        argMax(team, team != '') AS team, argMax(machine, machine != '') AS machine,
        argMax(repo, repo != '') AS repo, argMax(branch, branch != '') AS branch,
        sum(ifNull(cost_reported_usd, 0)) AS cost_reported_usd,
        sum(ifNull(cost_computed_usd, 0)) AS cost_computed_usd
    FROM usage_requests
    WHERE day IN {days:Array(Date)} AND session_id != ''
    GROUP BY day, session_id, user_id, organization_id, project
    UNION ALL
    SELECT
        day, session_id, user_id, organization_id, '',
        min(timestamp), max(timestamp), [], 0, 0, 0, 0, 0, 0.,
        countIf(event_name = 'user_prompt'),
        countIf(event_name = 'tool_result'),
        countIf(event_name = 'tool_result' AND NOT success),
        countIf(event_name = 'api_error'),
        0., 0., 0., 0., 0., 0., '', '', '', '', 0., 0.
    FROM _rollup_events
    WHERE session_id != ''
    GROUP BY day, session_id, user_id, organization_id
    UNION ALL
    SELECT
        day, session_id, user_id, organization_id, '',
        toDateTime64(min(time), 3, 'UTC'), toDateTime64(max(time), 3, 'UTC'),
        [], 0, 0, 0, 0, 0, 0., 0, 0, 0, 0,
        sumIf(delta, metric_name = 'claude_code.active_time.total' AND type = 'user'),
        sumIf(delta, metric_name = 'claude_code.active_time.total' AND type = 'cli'),
        sumIf(delta, metric_name = 'claude_code.lines_of_code.count' AND type = 'added'),
        sumIf(delta, metric_name = 'claude_code.lines_of_code.count' AND type = 'removed'),
        sumIf(delta, metric_name = 'claude_code.commit.count'),
        sumIf(delta, metric_name = 'claude_code.pull_request.count'),
        '', '', '', '', 0., 0.
    FROM _rollup_metric_deltas
    WHERE session_id != ''
    GROUP BY day, session_id, user_id, organization_id
)
SELECT
    day,
    session_id,
    argMax(user_id, user_id != '') AS user_id,
    argMax(organization_id, organization_id != '') AS organization_id,
    argMax(project, project != '') AS project,
    min(first_seen),
    max(last_seen),
    arrayDistinct(arrayFlatten(groupArray(models))),
    sum(api_requests),
    sum(input_tokens),
    sum(output_tokens),
    sum(cache_read_tokens),
    sum(cache_creation_tokens),
    sum(cost_usd),
    sum(prompts),
    sum(tool_calls),
    sum(tool_failures),
    sum(api_errors),
    sum(active_time_user_s),
    sum(active_time_cli_s),
    sum(lines_added),
    sum(lines_removed),
    sum(commits),
    sum(pull_requests),
    argMax(team, team != ''),
    argMax(machine, machine != ''),
    argMax(repo, repo != ''),
    argMax(branch, branch != ''),
    sum(cost_reported_usd),
    sum(cost_computed_usd)
FROM parts
GROUP BY day, session_id

-- One row per session, folding its session_days rows: sums of the counts, the first and
-- last activity, and a non-empty user, organization, project, team, machine, repo and branch
-- where any row has one.
CREATE OR REPLACE VIEW sessions AS
SELECT
    session_id,
    argMax(user_id, user_id != '') AS user_id,
    argMax(organization_id, organization_id != '') AS organization_id,
    argMax(project, project != '') AS project,
    min(first_seen) AS start,
    max(last_seen) AS end,
    dateDiff('millisecond', min(first_seen), max(last_seen)) / 1000 AS duration_s,
    sum(active_time_user_s) AS active_time_user_s,
    sum(active_time_cli_s) AS active_time_cli_s,
    arrayDistinct(arrayFlatten(groupArray(models))) AS models,
    sum(api_requests) AS api_requests,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(cache_creation_tokens) AS cache_creation_tokens,
    input_tokens + output_tokens + cache_read_tokens + cache_creation_tokens AS total_tokens,
    sum(cost_usd) AS cost_usd,
    sum(prompts) AS prompts,
    sum(tool_calls) AS tool_calls,
    sum(tool_failures) AS tool_failures,
    sum(api_errors) AS api_errors,
    sum(lines_added) AS lines_added,
    sum(lines_removed) AS lines_removed,
    sum(commits) AS commits,
    sum(pull_requests) AS pull_requests,
    min(day) AS first_day,
    max(day) AS last_day,
    argMax(team, team != '') AS team,
    argMax(machine, machine != '') AS machine,
    argMax(repo, repo != '') AS repo,
    argMax(branch, branch != '') AS branch,
    sum(cost_reported_usd) AS cost_reported_usd,
    sum(cost_computed_usd) AS cost_computed_usd
FROM session_days
GROUP BY session_id;

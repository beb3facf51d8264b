-- Day x user from the metric deltas (right for delta and cumulative exporters alike).
INSERT INTO _stage_productivity_daily
SELECT
    day,
    user_id,
    argMax(organization_id, organization_id != '') AS organization_id,
    sumIf(delta, metric_name = 'claude_code.lines_of_code.count' AND type = 'added'),
    sumIf(delta, metric_name = 'claude_code.lines_of_code.count' AND type = 'removed'),
    sumIf(delta, metric_name = 'claude_code.commit.count'),
    sumIf(delta, metric_name = 'claude_code.pull_request.count'),
    sumIf(delta, metric_name = 'claude_code.code_edit_tool.decision' AND decision = 'accept'),
    sumIf(delta, metric_name = 'claude_code.code_edit_tool.decision' AND decision = 'reject'),
    sumIf(delta, metric_name = 'claude_code.active_time.total' AND type = 'user'),
    sumIf(delta, metric_name = 'claude_code.active_time.total' AND type = 'cli'),
    sumIf(delta, metric_name = 'claude_code.session.count')
FROM _rollup_metric_deltas
GROUP BY day, user_id

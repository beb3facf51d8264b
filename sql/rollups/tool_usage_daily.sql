-- Tool x day: calls and outcomes from tool_result events, decisions from tool_decision.
INSERT INTO _stage_tool_usage_daily
SELECT
    day,
    tool_name,
    countIf(event_name = 'tool_result') AS calls,
    countIf(event_name = 'tool_result' AND success) AS successes,
    countIf(event_name = 'tool_result' AND NOT success) AS failures,
    if(calls = 0, NULL, successes / calls) AS success_rate,
    quantileExactIf(0.5)(duration_ms, event_name = 'tool_result' AND duration_ms IS NOT NULL) AS duration_p50_ms,
    quantileExactIf(0.95)(duration_ms, event_name = 'tool_result' AND duration_ms IS NOT NULL) AS duration_p95_ms,
    countIf(event_name = 'tool_decision' AND decision = 'accept') AS accepts,
    countIf(event_name = 'tool_decision' AND decision = 'reject') AS rejects
FROM _rollup_events
WHERE event_name IN ('tool_result', 'tool_decision') AND tool_name != ''
GROUP BY day, tool_name

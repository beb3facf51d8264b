-- Session report (ccusage `session`): session x model from usage_requests, optionally by one
-- attribution column ({by}, named only when {grouped}); days in the report's time zone.
SELECT session_id, if({grouped:Bool}, toString({by:Identifier}), '') AS by_value, model,
       sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens),
       sum(cache_read_tokens), sum(cost_usd), min(timestamp), max(timestamp),
       argMax(project, project != '')
FROM usage_requests
WHERE day >= {since:Date32} - 1 AND day <= {until:Date32} + 1
  AND toDate(timestamp, {tz:String}) >= {since:Date32}
  AND toDate(timestamp, {tz:String}) <= {until:Date32}
  AND ({user:String} = '' OR user_id = {user:String})
  AND session_id != ''
GROUP BY session_id, by_value, model
ORDER BY session_id, by_value, sum(cost_usd) DESC, model

-- Session report (ccusage `session`): session x model from usage_requests.
SELECT session_id, model, sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens),
       sum(cache_read_tokens), sum(cost_usd), min(timestamp), max(timestamp),
       argMax(project, project != '')
FROM usage_requests
WHERE day >= {since:Date} AND day <= {until:Date} AND ({user:String} = '' OR user_id = {user:String})
  AND session_id != ''
GROUP BY session_id, model
ORDER BY session_id, sum(cost_usd) DESC, model

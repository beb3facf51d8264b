-- Daily report (ccusage `daily`): day x model from usage_daily, <synthetic> listed like ccusage.
SELECT day, model, sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens),
       sum(cache_read_tokens), sum(cost_usd)
FROM usage_daily
WHERE day >= {since:Date} AND day <= {until:Date} AND ({user:String} = '' OR user_id = {user:String})
GROUP BY day, model
ORDER BY day, sum(cost_usd) DESC, model

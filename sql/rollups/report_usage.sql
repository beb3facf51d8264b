-- Usage by period and model, optionally by one attribution column, from usage_requests: the
-- rows of the daily, weekly and monthly reports (ccusage `daily`, `weekly`, `monthly`).
-- A request's period is its day in the report's time zone ({tz}); a week starts on Monday
-- (its key is that Monday), a month is written YYYY-MM. {by} is a column of usage_requests,
-- named only when {grouped}; `<synthetic>` rows are listed like ccusage lists them.
SELECT
    multiIf({period:String} = 'week', toString(toMonday(toDate(timestamp, {tz:String}))),
            {period:String} = 'month', formatDateTime(toDate(timestamp, {tz:String}), '%Y-%m'),
            toString(toDate(timestamp, {tz:String}))) AS period_key,
    if({grouped:Bool}, toString({by:Identifier}), '') AS by_value,
    model,
    sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens), sum(cache_read_tokens),
    sum(cost_usd)
FROM usage_requests
WHERE day >= {since:Date32} - 1 AND day <= {until:Date32} + 1
  AND toDate(timestamp, {tz:String}) >= {since:Date32}
  AND toDate(timestamp, {tz:String}) <= {until:Date32}
  AND ({user:String} = '' OR user_id = {user:String})
GROUP BY period_key, by_value, model
ORDER BY period_key, by_value, sum(cost_usd) DESC, model

-- Entries of billing blocks from each user's restart point on, in time order.
SELECT
    user_id,
    toUnixTimestamp64Milli(timestamp) AS ts_ms,
    model,
    input_tokens,
    output_tokens,
    cache_creation_tokens,
    cache_read_tokens,
    cost_usd,
    entries
FROM usage_requests
WHERE model != '<synthetic>' AND entries > 0
  AND timestamp >= if(has({users:Array(String)}, user_id),
                      {starts:Array(DateTime64(3, 'UTC'))}[indexOf({users:Array(String)}, user_id)],
                      toDateTime64({from_day:Date}, 3, 'UTC'))
  AND day >= least({from_day:Date}, toDate(arrayMin(arrayConcat({starts:Array(DateTime64(3, 'UTC'))}, [toDateTime64({from_day:Date}, 3, 'UTC')]))))
ORDER BY user_id, ts_ms, request_key

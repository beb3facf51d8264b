-- Blocks report (ccusage `blocks`) from billing_blocks, in time order per user; since and
-- until compare the block's start day in the report's time zone.
SELECT user_id, block_id, start_time, end_time, actual_end_time, first_entry_time, is_gap,
       entries, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd,
       models
FROM billing_blocks
WHERE has({users:Array(String)}, user_id)
  AND toDate(start_time, {tz:String}) >= {since:Date32}
  AND toDate(start_time, {tz:String}) <= {until:Date32}
ORDER BY user_id, if(is_gap, end_time, first_entry_time), is_gap DESC

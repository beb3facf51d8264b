-- The latest 5-hour billing block (gap blocks are pauses, not blocks) of any user: the status
-- line shows it while it lasts. Times as epoch milliseconds.
SELECT
    toUnixTimestamp64Milli(start_time),
    toUnixTimestamp64Milli(end_time),
    toUnixTimestamp64Milli(first_entry_time),
    toUnixTimestamp64Milli(actual_end_time),
    cost_usd
FROM billing_blocks
WHERE NOT is_gap
ORDER BY start_time DESC
LIMIT 1

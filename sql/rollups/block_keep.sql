-- Stage the blocks of the partitions being rebuilt (the months from {first_day}'s on) that
-- the refresh does not recompute: per user, those before the start of its last block begun
-- before {from_day} (and the gap blocks before that block's first entry).
INSERT INTO _stage_billing_blocks
SELECT *
FROM billing_blocks
WHERE day >= toStartOfMonth({first_day:Date})
  AND NOT if(has({users:Array(String)}, user_id),
             if(is_gap,
                start_time > {firsts:Array(DateTime64(3, 'UTC'))}[indexOf({users:Array(String)}, user_id)],
                start_time >= {starts:Array(DateTime64(3, 'UTC'))}[indexOf({users:Array(String)}, user_id)]),
             start_time >= toDateTime64({from_day:Date}, 3, 'UTC'))
SETTINGS max_partitions_per_insert_block = 0;

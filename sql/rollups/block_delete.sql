-- Drop the blocks a refresh from {from_day} recomputes: per user, every block from the start
-- of its last block begun before that day (or from the day itself when it has none), and
-- the gap blocks after that block's first entry.
DELETE FROM billing_blocks
WHERE if(has({users:Array(String)}, user_id),
         if(is_gap,
            start_time > {firsts:Array(DateTime64(3, 'UTC'))}[indexOf({users:Array(String)}, user_id)],
            start_time >= {starts:Array(DateTime64(3, 'UTC'))}[indexOf({users:Array(String)}, user_id)]),
         start_time >= toDateTime64({from_day:Date}, 3, 'UTC'));

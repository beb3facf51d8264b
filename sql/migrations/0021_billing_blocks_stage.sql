-- Staging twin of billing_blocks: a refresh rebuilds the day partitions from its restart
-- point and swaps them in (REPLACE PARTITION) instead of deleting rows.
CREATE TABLE IF NOT EXISTS _stage_billing_blocks AS billing_blocks;

-- What a run just loaded (its unpriced models, for one) is found by loaded_at: a minmax index
-- lets such a query skip the parts of earlier runs instead of reading every entry.
ALTER TABLE transcript_entries ADD INDEX IF NOT EXISTS idx_loaded_at loaded_at TYPE minmax GRANULARITY 1;

-- The price table replaces what transcript_prices held (the caller truncates it first): the
-- rows parameter holds one JSON object per model, keyed by transcripts/pricing.PRICE_COLUMNS.
INSERT INTO transcript_prices (
    model, input, output, cache_write_5m, cache_write_1h, cache_read, tier_threshold,
    input_above, output_above, cache_write_5m_above, cache_write_1h_above, cache_read_above,
    fast_multiplier, price_version, source
)
SELECT
    model, input, output, cache_write_5m, cache_write_1h, cache_read, tier_threshold,
    input_above, output_above, cache_write_5m_above, cache_write_1h_above, cache_read_above,
    fast_multiplier, price_version, source
FROM format(JSONEachRow, {rows:String})

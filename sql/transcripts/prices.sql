-- The installed price table, one row per model in model order, in the column order of
-- transcripts/pricing.PRICE_COLUMNS, so a run can tell whether the wanted table is installed.
SELECT
    model, input, output, cache_write_5m, cache_write_1h, cache_read, tier_threshold,
    input_above, output_above, cache_write_5m_above, cache_write_1h_above, cache_read_above,
    fast_multiplier, price_version, source
FROM transcript_prices
ORDER BY model

-- Spend of one budget, in USD, from usage_daily (UTC days, every source counted once):
-- `spent` over the current period's days so far, `trailing` over the days of the trailing
-- window just before the period (the forecast's history), and the first day the warehouse
-- holds any usage at all (so a window before the first data is not read as zero spend).
-- The budget's filter follows as `AND <column> IN <values>` conditions, one per column, the
-- column an Identifier parameter and the values an Array(String) parameter.
SELECT
    sumIf(cost_usd, day >= {start:Date}) AS spent,
    sumIf(cost_usd, day < {start:Date}) AS trailing,
    (SELECT minOrNull(day) FROM usage_daily) AS first_day
FROM usage_daily
WHERE day >= {trailing_start:Date} AND day < {end:Date}

-- Cost provenance: per model, the requests with both a reported cost (what Claude Code said)
-- and a computed one (the price table's), how many differ beyond {tol} (relative), the two
-- sums, and the requests whose model has no price; the models with the largest gap first.
SELECT
    model,
    countIf(cost_reported_usd IS NOT NULL AND cost_computed_usd IS NOT NULL) AS compared,
    countIf(abs(ifNull(cost_reported_usd - cost_computed_usd, 0))
            > {tol:Float64} * greatest(abs(ifNull(cost_reported_usd, 0)),
                                       abs(ifNull(cost_computed_usd, 0)), 1e-9)) AS gaps,
    ifNull(sumIf(cost_reported_usd, cost_computed_usd IS NOT NULL), 0) AS reported_usd,
    ifNull(sumIf(cost_computed_usd, cost_reported_usd IS NOT NULL), 0) AS computed_usd,
    countIf(cost_computed_usd IS NULL) AS unpriced
FROM usage_requests
GROUP BY model
HAVING gaps > 0 OR unpriced > 0
ORDER BY abs(reported_usd - computed_usd) DESC, model
LIMIT {n:UInt32}

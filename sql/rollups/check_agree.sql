-- Requests in both sources: how many differ in tokens, and in cost beyond {tol} (relative;
-- a request with an unpriced transcript line is not compared on cost).
SELECT
    countIf(telemetry_tokens != transcript_tokens),
    countIf(
        transcript_unpriced = 0
        AND abs(telemetry_cost_usd - transcript_cost_usd)
            > {tol:Float64} * greatest(abs(telemetry_cost_usd), abs(transcript_cost_usd), 1e-9)
    ),
    count()
FROM request_source_pairs

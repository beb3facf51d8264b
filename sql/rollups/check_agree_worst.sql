-- The requests whose two sources disagree most (tokens first, then relative cost).
SELECT request_id, telemetry_tokens, transcript_tokens, telemetry_cost_usd, transcript_cost_usd
FROM request_source_pairs
WHERE telemetry_tokens != transcript_tokens OR abs(telemetry_cost_usd - transcript_cost_usd) > 0
ORDER BY
    telemetry_tokens != transcript_tokens DESC,
    abs(telemetry_cost_usd - transcript_cost_usd)
        / greatest(abs(telemetry_cost_usd), abs(transcript_cost_usd), 1e-9) DESC
LIMIT {n:UInt32}

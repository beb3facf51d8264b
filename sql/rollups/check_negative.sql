-- Rows with a negative count or cost: in usage_requests, and in the raw api_request events
-- (the typed views clamp negative tokens to 0, so they are looked for in the attributes).
SELECT
    (SELECT count() FROM usage_requests WHERE cost_usd < 0),
    (SELECT count() FROM cc_events
     WHERE event_name = 'api_request'
       AND (toFloat64OrZero(attributes['input_tokens']) < 0
            OR toFloat64OrZero(attributes['output_tokens']) < 0
            OR toFloat64OrZero(attributes['cache_read_tokens']) < 0
            OR toFloat64OrZero(attributes['cache_creation_tokens']) < 0
            OR toFloat64OrZero(attributes['cost_usd']) < 0))

-- Generated Claude Code events for the rollup benchmark (see bench/rollups.py).
INSERT INTO otel_logs (Timestamp, ServiceName, Body, ScopeName, LogAttributes)
SELECT ts, 'claude-code', concat('claude_code.', ev), 'com.anthropic.claude_code.events',
       mapFilter((k, v) -> v != '', map(
         'event.name', ev,
         'event.timestamp', formatDateTime(ts, '%Y-%m-%dT%H:%i:%S.%fZ'),
         'session.id', concat('s-', toString(user), '-', toString(day_n), '-', toString(intDiv(minute, 120))),
         'user.id', concat('user-', toString(user)),
         'organization.id', 'org-1',
         'terminal.type', 'vscode',
         'model', ['claude-sonnet-4-5-20250929', 'claude-opus-4-6', 'claude-haiku-4-5-20251001'][1 + h % 3],
         'request_id', if(ev = 'api_request', concat('req_', toString({seed:UInt64}), '_', toString(number)), ''),
         'input_tokens', if(ev = 'api_request', toString(h % 900), ''),
         'output_tokens', if(ev = 'api_request', toString(h % 4000), ''),
         'cache_read_tokens', if(ev = 'api_request', toString(h % 90000), ''),
         'cache_creation_tokens', if(ev = 'api_request', toString(h % 9000), ''),
         'cost_usd', if(ev = 'api_request', toString(round((h % 10000) / 100000, 6)), ''),
         'duration_ms', toString(200 + h % 9000),
         'ttft_ms', if(ev = 'api_request', toString(100 + h % 2000), ''),
         'tool_name', if(ev = 'tool_result', ['Bash', 'Read', 'Edit', 'Grep', 'Write'][1 + h % 5], ''),
         'success', if(ev = 'tool_result', if(h % 10 = 0, 'false', 'true'), ''),
         'status_code', if(ev = 'api_error', ['429', '500', '529'][1 + h % 3], '')))
FROM (
    SELECT number, cityHash64(number, {seed:UInt64}) AS h,
           {first_day:UInt32} + intDiv(number, {per_day:UInt64}) AS day_n,
           h % {users:UInt32} AS user,
           -- each user works 09:00-19:00 in their own time zone (offset 0..11 h)
           (9 + user % 12) * 60 + intDiv(h, 7) % 600 AS minute,
           toDateTime64({start:Date}, 9, 'UTC') + toIntervalDay(day_n) + toIntervalMinute(minute)
             + toIntervalMillisecond(intDiv(h, 13) % 60000) AS ts,
           multiIf(number % 10 < 7, 'api_request', number % 10 < 9, 'tool_result', 'api_error') AS ev
    FROM numbers({count:UInt64})
)

-- Official 5-hour windows per user, from the rate limits Claude Code reported to the status
-- line (rate_limit_observations). The rule:
--   * a five_hour observation whose resets_at is R says the account's current 5-hour window
--     is [R - 5 h, R); every entry of that user inside it belongs to the block [R - 5 h, R),
--     whichever session it came from;
--   * the window belongs to the user of the observation's session (its user_id in
--     session_days on any day); an observation without a reset time, or of a session with
--     no known activity, says nothing about blocks;
--   * windows of one user that overlap (an official window cannot start before the previous
--     one ended) are resolved in Python (blocks.official_windows): the earlier reset wins.
-- Entries outside every official window are cut as ccusage cuts them (blocks.py), clamped so
-- no block overlaps an official window. One row per distinct (user, reset), epoch ms.
SELECT DISTINCT s.user_id AS user_id, toInt64(toUnixTimestamp(o.resets_at)) * 1000 AS resets_ms
FROM rate_limit_observations AS o
INNER JOIN (
    SELECT DISTINCT session_id, user_id
    FROM session_days
    WHERE session_id IN (
        SELECT session_id FROM rate_limit_observations WHERE `window` = 'five_hour'
    )
) AS s ON s.session_id = o.session_id
WHERE o.`window` = 'five_hour' AND o.resets_at IS NOT NULL
ORDER BY user_id, resets_ms

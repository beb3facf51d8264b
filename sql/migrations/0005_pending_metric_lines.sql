-- Metric lines of committed batches, waiting to be parsed. Metric lines are few next to log
-- lines, and parsing them costs mostly a fixed price per query, so they are parsed together
-- every few hundred MB and at the end of a run instead of once per batch. The table survives
-- a crash: the next run first deletes whatever rows a half-finished parse of these lines
-- wrote, then parses them again.
CREATE TABLE IF NOT EXISTS _pending_metric_lines (
    _file_key String,
    file_path String,
    _offset UInt64,
    line String
) ENGINE = MergeTree
ORDER BY (_file_key, _offset);

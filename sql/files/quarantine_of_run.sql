-- The lines one run quarantined, by reason: those of the source whose file key and offset
-- fall in a byte range the run committed (from each file's cursor before the run to its
-- cursor after it). Keys, not the time rows were written, say which run a line belongs to.
SELECT reason, count() AS lines
FROM ingest_quarantine
WHERE source = {source:String}
  AND _file_key IN {keys:Array(String)}
  AND arrayExists(
        (k, lo, hi) -> _file_key = k AND _offset >= lo AND _offset < hi,
        {keys:Array(String)}, {starts:Array(UInt64)}, {ends:Array(UInt64)})
GROUP BY reason
ORDER BY lines DESC, reason

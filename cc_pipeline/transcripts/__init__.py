"""Claude Code session transcripts -> transcript_* tables: discovery, parsing, pricing, backfill.

The transcripts are the history users have before they turn telemetry on. Only metadata is
stored (timestamps, ids, model, token counts, tool names); requests are counted once per
(message.id, requestId) with the largest token total, as ccusage 20 counts them.
"""

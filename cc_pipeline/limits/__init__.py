"""Claude Code's rate limits: the status line that records them and the load of that record.

``statusline`` is the command Claude Code runs for its status line; it imports nothing beyond
the standard library (it runs many times a minute). ``sink`` loads what it recorded into
``rate_limit_observations``; ``state`` writes the small file the status line reads.
"""

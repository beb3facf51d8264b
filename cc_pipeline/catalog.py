"""Every table and view the pipeline owns, as data: what it holds, who builds it, what it reads.

The migrations (``sql/migrations``) create these objects; this catalog names them once for
everything that needs a list of tables: the Dagster asset specs, their dependencies and column
schemas, the rollup refresh order, the staging twins and the dashboard's inputs.
``tests/test_catalog.py`` holds it against the tables and columns of a freshly migrated
database, so the two cannot drift apart.

A table in the dashboard contract keeps its columns: they are only ever added, never renamed
(``docs/rollups.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

Kind = Literal["table", "view", "staging", "internal"]
Grain = Literal["day", "month", "none"]
# How the rollup refresh rebuilds a table: one run of days at a time (``days``), from the first
# changed day on (``onward``), from a snapshot of the transcripts (``snapshot``); or not at all.
Refresh = Literal["days", "onward", "snapshot", "none"]

TELEMETRY = "telemetry"
TRANSCRIPTS = "transcripts"
ROLLUPS = "rollups"
WAREHOUSE = "warehouse"

STAGE_PREFIX = "_stage_"
MIGRATIONS = "migrations"


@dataclass(frozen=True)
class Column:
    """One column of a contract table: its ClickHouse type as ``system.columns`` spells it."""

    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Relation:
    """One table or view of the warehouse.

    ``group`` is the Dagster group of its domain; ``asset`` says whether it is a Dagster asset.
    ``upstream`` names the relations its rows are read from. ``created_by`` is
    ``"migrations"`` or the SQL script (under ``sql/``) that creates it at the start of a run.
    """

    name: str
    kind: Kind
    description: str
    group: str
    grain: Grain = "none"
    upstream: tuple[str, ...] = ()
    contract: bool = False
    columns: tuple[Column, ...] = ()
    asset: bool = False
    on_dashboard: bool = False
    refresh: Refresh = "none"
    twin_of: str | None = None
    created_by: str = MIGRATIONS


_SHARED = {
    "day": "UTC day",
    "session_id": "Claude Code session",
    "user_id": "user from telemetry ('' for transcript-only history)",
    "organization_id": "organization from telemetry ('' when unknown)",
    "project": "transcript project folder (encoded cwd); '' when unknown",
    "model": "model name (`<synthetic>` for transcript API-error lines)",
    "input_tokens": "input tokens (not read from or written to the cache)",
    "output_tokens": "output tokens",
    "cache_read_tokens": "input tokens read from the prompt cache",
    "cache_creation_tokens": "input tokens written to the prompt cache",
    "total_tokens": "sum of the four token kinds",
    "cost_usd": "cost in USD",
    "requests": "model API requests",
    "both_requests": "requests seen by both sources",
    "telemetry_only_requests": "requests seen only by telemetry",
    "transcript_only_requests": "requests seen only in transcripts",
    "models": "models used, in order of first use",
    "api_requests": "model API requests",
    "prompts": "`user_prompt` events",
    "tool_calls": "`tool_result` events",
    "tool_failures": "`tool_result` events that failed",
    "api_errors": "`api_error` events",
    "active_time_user_s": "`claude_code.active_time.total` of type user, seconds",
    "active_time_cli_s": "`claude_code.active_time.total` of type cli, seconds",
    "lines_added": "`claude_code.lines_of_code.count` of type added",
    "lines_removed": "`claude_code.lines_of_code.count` of type removed",
    "commits": "`claude_code.commit.count`",
    "pull_requests": "`claude_code.pull_request.count`",
    "duration_p50_ms": "median duration of the day, ms",
    "duration_p95_ms": "95th percentile duration of the day, ms",
    "duration_p99_ms": "99th percentile duration of the day, ms",
    "team": "team label from telemetry (`team.id` or `team`; configurable); '' when unknown",
    "department": "department label from telemetry; '' when unknown",
    "cost_center": "cost center label from telemetry (`cost_center` or `cost.center`)",
    "user_email": "user e-mail from telemetry ('' when unknown)",
    "machine": "transcripts' machine label (backfill --machine, default the host name), "
    "else telemetry's host",
    "repo": "git repository folder: last path component of project",
    "branch": "git branch from transcripts (`gitBranch`); '' when unknown",
    "agent": "`main`, `subagent` or the agent's name",
    "skill": "skill the request ran for (telemetry `skill.name`)",
    "plugin": "plugin the request ran for (telemetry `plugin.name`)",
    "mcp_server": "MCP server the request ran for (telemetry `mcp_server.name`)",
    "provider": "`first party`, `bedrock`, `vertex`, `foundry`, or the gateway's host",
}


def _columns(*specs: tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    """Columns from (name, type) pairs, described by ``_SHARED``, or (name, type, text)."""
    return tuple(
        Column(spec[0], spec[1], spec[2] if len(spec) == 3 else _SHARED[spec[0]]) for spec in specs
    )


_TOKENS: tuple[tuple[str, str], ...] = (
    ("input_tokens", "UInt64"),
    ("output_tokens", "UInt64"),
    ("cache_read_tokens", "UInt64"),
    ("cache_creation_tokens", "UInt64"),
)
_ATTRIBUTION: tuple[tuple[str, str], ...] = (
    ("team", "LowCardinality(String)"),
    ("department", "LowCardinality(String)"),
    ("cost_center", "LowCardinality(String)"),
)
_WHERE: tuple[tuple[str, str], ...] = (("repo", "String"), ("branch", "String"))
_COST_SUMS: tuple[tuple[str, str, str], ...] = (
    ("cost_reported_usd", "Float64", "sum of the cost Claude Code reported"),
    ("cost_computed_usd", "Float64", "sum of the cost computed from the price table"),
)
_SESSION_EVENTS: tuple[tuple[str, str], ...] = (
    ("prompts", "UInt64"),
    ("tool_calls", "UInt64"),
    ("tool_failures", "UInt64"),
    ("api_errors", "UInt64"),
)
_ACTIVE_TIME: tuple[tuple[str, str], ...] = (
    ("active_time_user_s", "Float64"),
    ("active_time_cli_s", "Float64"),
)
_CODE: tuple[tuple[str, str], ...] = (
    ("lines_added", "Float64"),
    ("lines_removed", "Float64"),
    ("commits", "Float64"),
    ("pull_requests", "Float64"),
)
_UTC_MS = "DateTime64(3, 'UTC')"
_LC = "LowCardinality(String)"
_MAYBE = "Nullable(Float64)"

USAGE_REQUESTS_COLUMNS = _columns(
    ("day", "Date", "UTC day of the request (partition)"),
    ("timestamp", _UTC_MS, "when the request completed"),
    ("request_key", "String", "unique key: request_id, else source, session, hash and time"),
    ("request_id", "String", "API request id ('' when unknown)"),
    ("session_id", "String"),
    ("project", "String"),
    ("user_id", "String"),
    ("organization_id", "String"),
    ("user_email", "String"),
    ("terminal_type", _LC, "terminal Claude Code ran in (telemetry)"),
    ("model", _LC),
    *_TOKENS,
    ("total_tokens", "UInt64"),
    ("cost_usd", "Float64", "telemetry cost, else the transcript price (0 when unpriced)"),
    ("cost_known", "Bool", "false when a transcript-only request's model has no price"),
    ("duration_ms", _MAYBE, "request duration, ms (telemetry)"),
    ("ttft_ms", _MAYBE, "time to first token, ms (telemetry)"),
    ("query_source", _LC, "telemetry `query_source`"),
    ("app_version", _LC, "Claude Code version"),
    ("source", _LC, "`telemetry`, `transcript` or `both`"),
    ("entries", "UInt32", "ccusage entries of the request (1 for telemetry-only)"),
    *_ATTRIBUTION,
    ("labels", "Map(String, String)", "the other labels set in OTEL_RESOURCE_ATTRIBUTES"),
    ("account_uuid", "String", "account UUID from telemetry ('' when unknown)"),
    ("machine", _LC),
    *_WHERE,
    ("agent", _LC),
    ("skill", _LC),
    ("plugin", _LC),
    ("mcp_server", _LC),
    ("provider", _LC),
    ("effort", _LC, "telemetry `effort`"),
    ("speed", _LC, "telemetry `speed`, else the transcript's"),
    ("entrypoint", _LC, "telemetry `app.entrypoint` (cli, sdk-cli, ...)"),
    ("cache_creation_5m_tokens", "UInt64", "cache writes priced at the 5-minute rate"),
    ("cache_creation_1h_tokens", "UInt64", "cache writes priced at the 1-hour rate"),
    ("cost_reported_usd", _MAYBE, "cost Claude Code reported (telemetry, else a line's costUSD)"),
    ("cost_computed_usd", _MAYBE, "cost of the tokens by the price table (NULL: unpriced)"),
)

USAGE_COVERAGE_COLUMNS = _columns(
    ("day", "Date"),
    ("requests", "UInt64", "rows of usage_requests"),
    ("telemetry_requests", "UInt64", "requests seen by telemetry"),
    ("transcript_requests", "UInt64", "requests seen in transcripts"),
    ("both_requests", "UInt64"),
    ("telemetry_only_requests", "UInt64"),
    ("transcript_only_requests", "UInt64"),
    ("telemetry_events", "UInt64", "Claude Code events that day"),
    ("metric_points", "UInt64", "metric data points that day"),
    ("first_request", f"Nullable({_UTC_MS})", "first request of the day"),
    ("last_request", f"Nullable({_UTC_MS})", "last request of the day"),
    ("sources", "Array(String)", "`telemetry`, `transcripts` present that day"),
)

USAGE_DAILY_COLUMNS = _columns(
    ("day", "Date"),
    ("model", _LC),
    ("user_id", "String"),
    ("organization_id", "String"),
    ("project", "String"),
    ("requests", "UInt64"),
    ("sessions", "UInt64", "distinct sessions within the row (not additive across rows)"),
    *_TOKENS,
    ("total_tokens", "UInt64"),
    ("cost_usd", "Float64"),
    ("cache_hit_ratio", "Float64", "cache_read / (input + cache_read + cache_creation)"),
    ("telemetry_only_requests", "UInt64"),
    ("transcript_only_requests", "UInt64"),
    ("both_requests", "UInt64"),
    *_ATTRIBUTION,
    ("user_email", "String"),
    ("machine", _LC),
    *_WHERE,
    ("agent", _LC),
    ("skill", _LC),
    ("plugin", _LC),
    ("mcp_server", _LC),
    ("provider", _LC),
    *_COST_SUMS,
)

SESSION_DAYS_COLUMNS = _columns(
    ("day", "Date"),
    ("session_id", "String"),
    ("user_id", "String"),
    ("organization_id", "String"),
    ("project", "String"),
    ("first_seen", _UTC_MS, "first activity of the session that day"),
    ("last_seen", _UTC_MS, "last activity of the session that day"),
    ("models", "Array(String)"),
    ("api_requests", "UInt64"),
    *_TOKENS,
    ("cost_usd", "Float64"),
    *_SESSION_EVENTS,
    *_ACTIVE_TIME,
    *_CODE,
    ("team", _LC),
    ("machine", _LC),
    *_WHERE,
    *_COST_SUMS,
)

SESSIONS_COLUMNS = _columns(
    ("session_id", "String"),
    ("user_id", "String"),
    ("organization_id", "String"),
    ("project", "String"),
    ("start", _UTC_MS, "first activity (requests, events, metrics)"),
    ("end", _UTC_MS, "last activity (requests, events, metrics)"),
    ("duration_s", "Float64", "end - start, seconds"),
    *_ACTIVE_TIME,
    ("models", "Array(String)"),
    ("api_requests", "UInt64"),
    *_TOKENS,
    ("total_tokens", "UInt64"),
    ("cost_usd", "Float64"),
    *_SESSION_EVENTS,
    *_CODE,
    ("first_day", "Date", "first day the session spans"),
    ("last_day", "Date", "last day the session spans"),
    ("team", "String"),
    ("machine", "String"),
    *_WHERE,
    *_COST_SUMS,
)

TOOL_USAGE_DAILY_COLUMNS = _columns(
    ("day", "Date"),
    ("tool_name", _LC, "tool"),
    ("calls", "UInt64", "`tool_result` events"),
    ("successes", "UInt64", "successful `tool_result` events"),
    ("failures", "UInt64", "failed `tool_result` events"),
    ("success_rate", _MAYBE, "successes / calls"),
    ("duration_p50_ms", _MAYBE),
    ("duration_p95_ms", _MAYBE),
    ("accepts", "UInt64", "`tool_decision` events accepting the call"),
    ("rejects", "UInt64", "`tool_decision` events rejecting the call"),
    ("user_id", "String", "the event's user, else its session's"),
    ("user_email", "String", "of the session's requests that day ('' when none)"),
    *_ATTRIBUTION,
    ("machine", _LC),
    ("project", "String"),
    *_WHERE,
    ("provider", _LC),
)

API_HEALTH_DAILY_COLUMNS = _columns(
    ("day", "Date"),
    ("model", _LC),
    ("requests", "UInt64", "usage_requests (without `<synthetic>`)"),
    ("timed_requests", "UInt64", "requests with a duration (telemetry)"),
    ("errors", "UInt64", "`api_error` events"),
    ("errors_by_status", "Map(String, UInt64)", "errors by HTTP status (`none` when absent)"),
    ("retries_exhausted", "UInt64", "`api_retries_exhausted` events"),
    ("refusals", "UInt64", "`api_refusal` events"),
    ("duration_p50_ms", _MAYBE),
    ("duration_p95_ms", _MAYBE),
    ("duration_p99_ms", _MAYBE),
    ("ttft_p50_ms", _MAYBE, "median time to first token, ms"),
    ("ttft_p95_ms", _MAYBE, "95th percentile time to first token, ms"),
    ("ttft_p99_ms", _MAYBE, "99th percentile time to first token, ms"),
)

PRODUCTIVITY_DAILY_COLUMNS = _columns(
    ("day", "Date"),
    ("user_id", "String"),
    ("organization_id", "String"),
    ("lines_added", "Float64"),
    ("lines_removed", "Float64"),
    ("commits", "Float64"),
    ("pull_requests", "Float64"),
    ("edit_accepts", "Float64", "`claude_code.code_edit_tool.decision` accepting an edit"),
    ("edit_rejects", "Float64", "`claude_code.code_edit_tool.decision` rejecting an edit"),
    *_ACTIVE_TIME,
    ("sessions_started", "Float64", "`claude_code.session.count`"),
)

RATE_LIMIT_OBSERVATIONS_COLUMNS = _columns(
    ("observed_at", _UTC_MS, "when the status line saw the reading"),
    ("session_id", "String"),
    ("window", _LC, "`five_hour` or `seven_day`"),
    ("used_percentage", "Float64", "share of the window's limit used, percent"),
    ("resets_at", "Nullable(DateTime('UTC'))", "when the window resets (NULL: not reported)"),
    ("_file_key", _LC, "the observation file the line was read from"),
    ("_offset", "UInt64", "the line's byte offset in that file"),
)

BILLING_BLOCKS_COLUMNS = _columns(
    ("day", "Date", "day of start_time (partitioned by month)"),
    ("user_id", "String", "whose block ('' for requests without a known user)"),
    ("block_id", "String", "ccusage id: start as ISO time, or `gap-<start>`"),
    ("start_time", _UTC_MS, "block start (official: reset - 5 h; gap: last entry + 5 h)"),
    ("end_time", _UTC_MS, "block end (official: the reset; gap: next entry)"),
    ("actual_end_time", f"Nullable({_UTC_MS})", "last entry of the block"),
    ("first_entry_time", f"Nullable({_UTC_MS})", "first entry of the block"),
    ("is_gap", "Bool", "a gap block (a pause over 5 h)"),
    ("entries", "UInt64", "entries (ccusage counting)"),
    ("input_tokens", "UInt64"),
    ("output_tokens", "UInt64"),
    ("cache_creation_tokens", "UInt64"),
    ("cache_read_tokens", "UInt64"),
    ("total_tokens", "UInt64"),
    ("cost_usd", "Float64"),
    ("models", "Array(String)"),
)


def _otel(name: str, description: str) -> Relation:
    return Relation(name, "table", description, TELEMETRY, "day", asset=True)


def _cc_view(name: str, description: str, upstream: str = "cc_events") -> Relation:
    return Relation(name, "view", description, TELEMETRY, upstream=(upstream,))


def _rollup(
    name: str,
    description: str,
    grain: Grain,
    upstream: tuple[str, ...],
    columns: tuple[Column, ...],
    *,
    refresh: Refresh = "days",
    on_dashboard: bool = True,
) -> Relation:
    return Relation(
        name,
        "table",
        description,
        ROLLUPS,
        grain,
        upstream,
        contract=True,
        columns=columns,
        asset=True,
        on_dashboard=on_dashboard,
        refresh=refresh,
    )


_PRIMARY: tuple[Relation, ...] = (
    # Telemetry: the Collector's ClickHouse exporter tables and the typed Claude Code views.
    _otel("otel_logs", "Claude Code events (api_request, tool_result, ...) as OTel log records."),
    _otel(
        "otel_metrics_sum", "Claude Code counters (tokens, cost, lines of code, ...) as OTel sums."
    ),
    _otel("otel_metrics_gauge", "OTel gauge data points."),
    _otel("otel_metrics_histogram", "OTel histogram data points."),
    _otel("otel_traces", "Claude Code spans (beta enhanced telemetry)."),
    _cc_view("cc_events", "Claude Code events from otel_logs, typed.", "otel_logs"),
    Relation(
        "cc_api_requests",
        "view",
        "`api_request` events: model, tokens, cost, latency, attribution and labels.",
        TELEMETRY,
        upstream=("cc_events", "telemetry_label_keys"),
    ),
    _cc_view("cc_api_errors", "`api_error`, `api_retries_exhausted` and `api_refusal` events."),
    _cc_view("cc_tool_results", "`tool_result` events: tool, success, duration, sizes."),
    _cc_view("cc_tool_decisions", "`tool_decision` events: tool, decision, source."),
    _cc_view("cc_user_prompts", "`user_prompt` events: length and command, never the text."),
    _cc_view("cc_assistant_responses", "`assistant_response` events: model, ids, length."),
    _cc_view("cc_subagent_completions", "`subagent_completed` events: kind, models, totals."),
    _cc_view("cc_compactions", "`compaction` events: trigger, tokens before and after."),
    _cc_view("cc_hook_executions", "`hook_execution_complete` events: hook, outcome counts."),
    _cc_view("cc_plugin_loads", "`plugin_loaded` events: plugin, marketplace, scope."),
    _cc_view("cc_skill_activations", "`skill_activated` events: skill and its source."),
    _cc_view("cc_mcp_server_connections", "`mcp_server_connection` events: server, outcome."),
    _cc_view("cc_permission_mode_changes", "`permission_mode_changed` events: from and to."),
    _cc_view("cc_retention_sweeps", "`retention_sweep` events: transcripts deleted, period."),
    _cc_view("cc_api_refusals", "`api_refusal` events: model, request, flags (no category)."),
    _cc_view("cc_internal_errors", "`internal_error` events: error class and code."),
    _cc_view("cc_at_mentions", "`at_mention` events: kind of mention, never the path."),
    _cc_view(
        "cc_metric_deltas",
        "Claude Code counters as deltas whatever the exporter's temporality.",
        "otel_metrics_sum",
    ),
    Relation(
        "telemetry_label_keys",
        "internal",
        "The label keys configured at the last ingest (CC_PIPELINE_LABEL_KEYS) and the "
        "team, department or cost_center column each feeds.",
        TELEMETRY,
    ),
    Relation(
        "telemetry_attribute_counts",
        "internal",
        "Attribute names per event and batch block, kept or dropped, with counts (no values).",
        TELEMETRY,
        upstream=("otel_logs",),
    ),
    Relation(
        "_otel_logs_to_attribute_counts",
        "internal",
        "Materialized view counting the attribute names of log records as they are inserted.",
        TELEMETRY,
        upstream=("otel_logs",),
    ),
    Relation(
        "telemetry_attribute_catalog",
        "view",
        "Every event attribute name seen: kept or dropped, how often, when, which versions.",
        TELEMETRY,
        upstream=("telemetry_attribute_counts",),
    ),
    Relation(
        "ingest_quarantine",
        "table",
        "Lines that could not be loaded: where they are and why, never their content.",
        WAREHOUSE,
    ),
    Relation(
        "rate_limit_observations",
        "table",
        "Rate limits (five_hour, seven_day) Claude Code reported to the status line: used "
        "percentage and official reset time, by observation time and session.",
        TELEMETRY,
        "month",
        # the served dashboard reads it (published with the rollups): columns only added
        contract=True,
        columns=RATE_LIMIT_OBSERVATIONS_COLUMNS,
    ),
    Relation(
        "_staging_telemetry_lines",
        "staging",
        "Complete lines of one telemetry file handed over by the tailer, with their signal.",
        TELEMETRY,
    ),
    Relation(
        "_pending_metric_lines",
        "staging",
        "Metric lines of committed batches, waiting to be parsed together.",
        TELEMETRY,
    ),
    Relation(
        "_parsed_metric_points",
        "staging",
        "Sum and gauge data points parsed once (Null engine; its views fan them out).",
        TELEMETRY,
        upstream=("_staging_telemetry_lines",),
    ),
    Relation(
        "_batch_point_notes",
        "staging",
        "Every metric point of a batch: line, kind, whether its value is a number.",
        TELEMETRY,
        upstream=("_parsed_metric_points",),
    ),
    Relation(
        "_batch_otel_metrics_histogram",
        "staging",
        "Histogram points parsed from one batch, before they are appended.",
        TELEMETRY,
        upstream=("_staging_telemetry_lines",),
        created_by="telemetry/batch_tables.sql",
    ),
    *(
        Relation(
            f"_parsed_metric_points_to_{target}",
            "internal",
            f"Materialized view appending parsed points to {table}.",
            TELEMETRY,
            upstream=("_parsed_metric_points",),
        )
        for target, table in (
            ("sum", "otel_metrics_sum"),
            ("gauge", "otel_metrics_gauge"),
            ("notes", "_batch_point_notes"),
        )
    ),
    # Transcripts.
    Relation(
        "transcript_entries",
        "table",
        "One row per Claude Code transcript line: metadata only.",
        TRANSCRIPTS,
        asset=True,
    ),
    Relation(
        "transcript_prices",
        "table",
        "USD per million tokens by model, reloaded at the start of every backfill.",
        TRANSCRIPTS,
    ),
    Relation(
        "request_source_pairs",
        "view",
        "Every request both sources hold: telemetry's tokens and cost beside the transcript's.",
        ROLLUPS,
        upstream=("cc_api_requests", "rollup_transcript_requests"),
    ),
    Relation(
        "transcript_usage_lines",
        "view",
        "Every countable transcript usage line with its price and cost.",
        TRANSCRIPTS,
        upstream=("transcript_entries", "transcript_prices"),
    ),
    Relation(
        "transcript_requests",
        "view",
        "One entry per API response (message.id, requestId), ccusage 20 rule.",
        TRANSCRIPTS,
        upstream=("transcript_usage_lines",),
        asset=True,
    ),
    Relation(
        "_staging_transcript_blobs",
        "staging",
        "The lines of one transcript batch as framed by the loader, one row per file.",
        TRANSCRIPTS,
        created_by="transcripts/batch_tables.sql",
    ),
    Relation(
        "_batch_transcript_entries",
        "staging",
        "One row per line of a transcript batch, with the reason when it is not loadable.",
        TRANSCRIPTS,
        upstream=("_staging_transcript_blobs",),
        created_by="transcripts/batch_tables.sql",
    ),
    # Rollups, in refresh order: later ones read the freshly swapped usage_requests.
    Relation(
        "rollup_transcript_requests",
        "table",
        "Day-partitioned copy of transcript_requests, taken when the transcripts change.",
        ROLLUPS,
        "day",
        ("transcript_requests",),
        refresh="snapshot",
    ),
    Relation(
        "_rollup_events",
        "staging",
        "Telemetry events of one refresh batch, extracted once for several rollups.",
        ROLLUPS,
        upstream=("cc_events",),
    ),
    Relation(
        "_rollup_metric_deltas",
        "staging",
        "Metric deltas of one refresh batch, extracted once for several rollups.",
        ROLLUPS,
        upstream=("otel_metrics_sum",),
    ),
    _rollup(
        "usage_requests",
        "One row per model API request from telemetry and transcripts "
        "(source telemetry | transcript | both).",
        "day",
        ("cc_api_requests", "rollup_transcript_requests", "transcript_prices"),
        USAGE_REQUESTS_COLUMNS,
        on_dashboard=False,
    ),
    _rollup(
        "usage_coverage",
        "Per day: requests by source, telemetry events and metric points.",
        "month",
        ("usage_requests", "cc_events", "otel_metrics_sum"),
        USAGE_COVERAGE_COLUMNS,
    ),
    _rollup(
        "usage_daily",
        "Day x model x user x project x team, machine, repo, branch, agent, ...: tokens by type, "
        "cost, requests, sessions, cache hit ratio.",
        "month",
        ("usage_requests",),
        USAGE_DAILY_COLUMNS,
    ),
    _rollup(
        "session_days",
        "Per session and day; the `sessions` view folds them into one row a session.",
        "month",
        ("usage_requests", "_rollup_events", "_rollup_metric_deltas"),
        SESSION_DAYS_COLUMNS,
    ),
    _rollup(
        "tool_usage_daily",
        "Tool x day x the session's attribution (user, team, project, repo, branch, machine, "
        "...): calls, success rate, p50/p95 duration, accept/reject.",
        "month",
        ("_rollup_events", "usage_requests"),
        TOOL_USAGE_DAILY_COLUMNS,
    ),
    _rollup(
        "api_health_daily",
        "Model x day: requests, errors by status, retries exhausted, latency and TTFT percentiles.",
        "month",
        ("usage_requests", "_rollup_events"),
        API_HEALTH_DAILY_COLUMNS,
    ),
    _rollup(
        "productivity_daily",
        "Day x user: lines added/removed, commits, PRs, edit decisions, active time.",
        "month",
        ("_rollup_metric_deltas",),
        PRODUCTIVITY_DAILY_COLUMNS,
        on_dashboard=False,
    ),
    _rollup(
        "billing_blocks",
        "5-hour billing blocks per user: the official windows the status line saw "
        "(rate_limit_observations), elsewhere cut as ccusage `blocks` does.",
        "month",
        ("usage_requests", "rate_limit_observations", "session_days"),
        BILLING_BLOCKS_COLUMNS,
        refresh="onward",
    ),
    Relation(
        "sessions",
        "view",
        "One row per session: the days of session_days folded together.",
        ROLLUPS,
        upstream=("session_days",),
        contract=True,
        columns=SESSIONS_COLUMNS,
    ),
    Relation(
        "rollup_state",
        "internal",
        "What the last rollup refresh saw of each source (fingerprints), and when it ran.",
        ROLLUPS,
    ),
    Relation(
        "schema_migrations",
        "internal",
        "Ledger of the applied schema migrations (version, name, checksum).",
        WAREHOUSE,
    ),
    Relation(
        "schema_repeatables",
        "internal",
        "Ledger of the repeatable view definitions of sql/views (name, checksum): a view is "
        "defined again when its file's checksum differs.",
        WAREHOUSE,
    ),
)


def _twins(relations: Iterable[Relation]) -> Iterator[Relation]:
    """The staging twin of every table the refresh swaps partitions into."""
    for relation in relations:
        if relation.refresh != "none":
            yield Relation(
                STAGE_PREFIX + relation.name,
                "staging",
                f"Staging twin of {relation.name}: rebuilt partitions wait here to be swapped in.",
                relation.group,
                relation.grain,
                relation.upstream,
                twin_of=relation.name,
            )


CATALOG: tuple[Relation, ...] = (*_PRIMARY, *_twins(_PRIMARY))
BY_NAME: dict[str, Relation] = {relation.name: relation for relation in CATALOG}


def get(name: str) -> Relation:
    """The catalog entry of ``name`` (KeyError names the unknown relation)."""
    return BY_NAME[name]


def assets(group: str) -> tuple[Relation, ...]:
    """The Dagster assets of ``group``, in catalog order."""
    return tuple(r for r in CATALOG if r.asset and r.group == group)


def refreshed(refresh: Refresh) -> tuple[str, ...]:
    """Names of the tables the rollup refresh rebuilds that way, in refresh order."""
    return tuple(r.name for r in CATALOG if r.refresh == refresh and r.twin_of is None)


def names_with_grain(grain: Grain) -> frozenset[str]:
    """Names of the tables partitioned by ``grain``."""
    return frozenset(r.name for r in CATALOG if r.grain == grain)


def asset_deps(name: str) -> tuple[str, ...]:
    """The assets ``name`` reads, following its upstream through relations that are not
    assets (views, scratch tables), in first-seen order."""
    found: dict[str, None] = {}
    seen: set[str] = set()
    pending = list(BY_NAME[name].upstream)
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        relation = BY_NAME[current]
        if relation.asset:
            found[current] = None
        else:
            pending.extend(relation.upstream)
    return tuple(found)


def sources(tables: Iterable[str], group: str) -> tuple[str, ...]:
    """The assets of ``group`` that ``tables`` read, in catalog order."""
    wanted = {dep for table in tables for dep in asset_deps(table)}
    return tuple(r.name for r in CATALOG if r.name in wanted and r.group == group)


def dashboard_inputs() -> tuple[str, ...]:
    """The tables the dashboard's queries read."""
    return tuple(r.name for r in CATALOG if r.on_dashboard)

"""What of a telemetry record is stored: allow-lists of names known to hold no content.

Claude Code puts prompts, responses, tool inputs and error text under attribute names that
change between versions (``prompt``, ``prompt_text``, ``response``, ``tool_parameters``,
``tool_input``...). A block-list would miss the next new name, so unless the user opts in with
``CC_PIPELINE_KEEP_CONTENT=1``:

- every attribute map (log record, span, span event, span link, resource, scope, metric data
  point) keeps only the attributes named by a rule of ``KEEP`` (or by a rule limited to some
  events, ``ALLOWED_EVENT_ATTRIBUTES``, on those events' log records), plus the label keys a
  user sets through ``OTEL_RESOURCE_ATTRIBUTES`` (``DEFAULT_LABEL_KEYS`` and
  ``CC_PIPELINE_LABEL_KEYS``);
- a log body is kept only when it is ``claude_code.<event>`` naming the record's own
  ``event.name`` or a name in ``KNOWN_NAMES``; span names and span-event names only when they
  are in ``KNOWN_NAMES``; anything else is stored empty;
- span status messages (free text) are stored empty; the status code is kept.

The rules are data, each with the reason its names hold no content; ``CONTENT`` lists the
names known to hold content and why (they are dropped because no rule keeps them, the list
documents them and the tests send content under each of them).

Claude Code spells some names dotted in one version or event and underscored in another
(``plugin.name`` / ``plugin_name``): ``both()`` keeps the two spellings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """Attribute names kept (or, in ``CONTENT``, dropped), and why.

    ``events``: the events whose log records the rule applies to; empty for every record,
    resource, scope, span and data point.
    """

    names: tuple[str, ...]
    reason: str
    events: tuple[str, ...] = ()


def both(*names: str) -> tuple[str, ...]:
    """Each name as given and with its dots spelled as underscores."""
    spellings: dict[str, None] = {}
    for name in names:
        spellings[name] = None
        spellings[name.replace(".", "_")] = None
    return tuple(spellings)


# Keys users set through OTEL_RESOURCE_ATTRIBUTES to label who spends (on the resource, and
# since Claude Code 2.1.161 also on every metric data point and event).
DEFAULT_LABEL_KEYS: tuple[str, ...] = (
    "team.id",
    "team",
    "department",
    "cost_center",
    "cost.center",
)
# Which label keys feed the team, department and cost_center columns, first non-empty wins.
DEFAULT_LABEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "team": ("team.id", "team"),
    "department": ("department",),
    "cost_center": ("cost_center", "cost.center"),
}

KEEP: tuple[Rule, ...] = (
    Rule(
        (
            "session.id",
            "user.id",
            "organization.id",
            "user.email",
            "user.account_uuid",
            "user.account_id",
            "terminal.type",
            "app.version",
            "app.entrypoint",
            "prompt.id",
        ),
        "standard identity attributes on every event and data point: ids, not content",
    ),
    Rule(
        ("event.name", "event.timestamp", "event.sequence"),
        "event bookkeeping: the event's name, time and order in its session",
    ),
    Rule(
        ("user.groups", "identity.source"),
        "identity of a user signed in through a gateway: group names and the identity provider",
    ),
    Rule(
        ("workspace.host_paths", "workflow.run_id", "workflow.name"),
        "where Claude Code runs (workspace folders, CI workflow): places, not what was typed",
    ),
    Rule(
        both("anthropic.provider", "anthropic.custom_base_url"),
        "the API provider (first party, bedrock, vertex) and a gateway URL",
    ),
    Rule(
        both(
            "agent.name",
            "agent.id",
            "agent.source",
            "skill.name",
            "plugin.name",
            "marketplace.name",
            "mcp_server.name",
            "mcp_tool.name",
        ),
        "attribution of a request or event to an agent, skill, plugin or MCP server: names",
    ),
    Rule(both("message.uuid"), "a transcript message's id: a join key to transcripts"),
    Rule(
        (
            "service.name",
            "service.version",
            "service.namespace",
            "service.instance.id",
            "os.type",
            "os.version",
            "host.arch",
            "host.name",
            "telemetry.sdk.name",
            "telemetry.sdk.language",
            "telemetry.sdk.version",
        ),
        "resource attributes the OpenTelemetry SDK sets: program, version, system, machine",
    ),
    Rule(DEFAULT_LABEL_KEYS, "labels users set with OTEL_RESOURCE_ATTRIBUTES to attribute cost"),
    Rule(
        ("type", "language", "start_type"),
        "metric data point dimensions: token kind, line kind, language, how a session started",
    ),
    Rule(
        (
            "model",
            "cost_usd",
            "cost_usd_micros",
            "duration_ms",
            "ttft_ms",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_creation_tokens",
            "cache_creation_5m_tokens",
            "cache_creation_1h_tokens",
            "request_id",
            "client_request_id",
            "speed",
            "query_source",
            "effort",
        ),
        "an API request's model, usage, cost, timings and ids",
    ),
    Rule(
        (
            "status_code",
            "attempt",
            "total_attempts",
            "total_retry_duration_ms",
            "server_fallback_hop",
            "has_category",
            "has_explanation",
        ),
        "failed, retried and refused requests: status, attempts and flags (not the category)",
    ),
    Rule(
        (
            "tool_name",
            "tool_use_id",
            "success",
            "error_type",
            "decision",
            "decision_type",
            "decision_source",
            "source",
            "tool_source",
            "permission_mode",
            "tool_input_size_bytes",
            "tool_result_size_bytes",
            "mcp_server_scope",
        ),
        "tool calls and permission decisions: which tool, outcome, sizes (never input or output)",
    ),
    Rule(
        ("prompt_length", "response_length", "command_name", "command_source"),
        "prompts and responses by their length and slash command, never their text",
    ),
    Rule(
        (
            "agent_type",
            "final_model",
            "model_swapped",
            "is_async",
            "is_built_in",
            "total_tokens",
            "total_tool_uses",
        ),
        "sub-agent runs: kind, models, flags and totals",
    ),
    Rule(
        ("trigger", "pre_tokens", "post_tokens", "precompute_reuse"),
        "compactions: what triggered them and the context size before and after",
    ),
    Rule(
        (
            "hook_event",
            "hook_name",
            "hook_source",
            "hook_type",
            "hook_matcher",
            "safe_mode",
            "managed_only",
            "num_hooks",
            "num_success",
            "num_blocking",
            "num_non_blocking_error",
            "num_cancelled",
            "total_duration_ms",
        ),
        "hooks: which hook ran on which event, counts of outcomes and time (never output)",
    ),
    Rule(
        (*both("plugin.scope", "plugin.version"), "plugin_id_hash", "enabled_via"),
        "plugins: scope, version, a hash of the id and how it was enabled",
    ),
    Rule(("has_hooks", "has_mcp"), "plugins: what parts a plugin has"),
    Rule(("skill_source",), "skills: where an activated skill came from"),
    Rule(
        ("server_scope", "transport_type", "status"),
        "MCP server connections: scope, transport and outcome",
    ),
    Rule(("mode", "from_mode", "to_mode"), "permission mode changes"),
    Rule(("error_name", "error_code"), "internal errors by class and code, never the message"),
    Rule(("mention_type",), "@-mentions by kind (file, folder, agent), never the path"),
    Rule(
        ("transcripts_deleted", "period_days", "files_past_cutoff"),
        "the transcript retention sweep: counts and the retention period",
    ),
    Rule(
        (
            "span.type",
            "gen_ai.system",
            "gen_ai.request.model",
            "gen_ai.response.id",
            "gen_ai.response.finish_reasons",
            "gen_ai.tool.call.id",
            "llm_request.context",
            "stop_reason",
            "interaction.sequence",
            "interaction.duration_ms",
            "user_prompt_length",
        ),
        "spans of the enhanced telemetry beta: kind, model, ids, stop reason, timings",
    ),
)

# Names kept only on some events.
KEEP_ON_EVENTS: tuple[Rule, ...] = (
    Rule(
        ("error",),
        "the API's own error message (a tool's `error` is its output and stays out)",
        events=("api_error", "api_retries_exhausted"),
    ),
)

CONTENT: tuple[Rule, ...] = (
    Rule(("prompt", "prompt_text", "user_prompt"), "what the user typed"),
    Rule(("response",), "what the model answered"),
    Rule(
        ("tool_input", "tool_parameters"),
        "tool inputs: bash commands, file paths, file contents, git ids",
    ),
    Rule(
        ("tool_output", "tool_result", "output", "content"),
        "tool content: what a tool read, ran or returned",
    ),
    Rule(
        ("body",),
        "raw API bodies",
        events=("api_request_body", "api_response_body"),
    ),
    Rule(("error",), "a tool's error text is its output", events=("tool_result",)),
    Rule(("stdout", "stderr", "hook_output"), "what a hook printed"),
    Rule(("category",), "why the API refused: describes the request", events=("api_refusal",)),
)


def _names(rules: Iterable[Rule]) -> set[str]:
    return {name for rule in rules for name in rule.names}


ALLOWED_ATTRIBUTES: tuple[str, ...] = tuple(sorted(_names(KEEP)))

# Attributes safe only on some events, as (event, attribute).
ALLOWED_EVENT_ATTRIBUTES: tuple[tuple[str, str], ...] = tuple(
    sorted((event, name) for rule in KEEP_ON_EVENTS for event in rule.events for name in rule.names)
)


def allowed_attributes(label_keys: Iterable[str] = ()) -> tuple[str, ...]:
    """Every name kept on any record: the rules' names and the configured label keys."""
    return tuple(sorted(set(ALLOWED_ATTRIBUTES) | {key for key in label_keys if key}))


def is_kept(name: str, event: str = "", label_keys: Iterable[str] = ()) -> bool:
    """Whether ``name`` is stored on a record of ``event`` (without the content opt-in)."""
    return name in allowed_attributes(label_keys) or (event, name) in ALLOWED_EVENT_ATTRIBUTES


# Events Claude Code is known to send; a body ``claude_code.<name>`` of one of them is kept
# even on a record without ``event.name``.
EVENT_NAMES = (
    "user_prompt",
    "assistant_response",
    "api_request",
    "api_error",
    "api_retries_exhausted",
    "api_refusal",
    "tool_decision",
    "tool_result",
    "compaction",
    "subagent_completed",
    "hook_registered",
    "hook_execution_start",
    "hook_execution_complete",
    "at_mention",
    "mcp_server_connection",
    "internal_error",
    "plugin_loaded",
    "plugin_installed",
    "skill_activated",
    "auth",
    "permission_mode_changed",
    "retention_sweep",
    "managed_settings_resolved",
    "feedback_survey",
)

# Span names and span-event names Claude Code's tracing is known to use.
SPAN_NAMES = (
    "claude_code.interaction",
    "claude_code.llm_request",
    "claude_code.tool",
    "claude_code.tool.blocked_on_user",
    "claude_code.tool.execution",
    "claude_code.hook",
    "gen_ai.request.attempt",
)

KNOWN_NAMES: tuple[str, ...] = tuple(
    sorted({f"claude_code.{event}" for event in EVENT_NAMES} | set(SPAN_NAMES))
)

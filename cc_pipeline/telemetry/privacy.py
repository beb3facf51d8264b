"""What of a telemetry record is stored: allow-lists of names known to hold no content.

Claude Code puts prompts, responses, tool inputs and error text under attribute names that
change between versions (``prompt``, ``prompt_text``, ``response``, ``tool_parameters``,
``tool_input``...). A block-list would miss the next new name, so unless the user opts in with
``CC_PIPELINE_KEEP_CONTENT=1``:

- every attribute map (log record, span, span event, span link, resource, scope, metric data
  point) keeps only the attributes named in ``ALLOWED_ATTRIBUTES`` (and ``ALLOWED_EVENT_ATTRIBUTES``
  on log records);
- a log body is kept only when it is ``claude_code.<event>`` naming the record's own
  ``event.name`` or a name in ``KNOWN_NAMES``; span names and span-event names only when they
  are in ``KNOWN_NAMES``; anything else is stored empty;
- span status messages (free text) are stored empty; the status code is kept.
"""

from __future__ import annotations

STANDARD = {
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
    "event.name",
    "event.timestamp",
    "event.sequence",
    "agent.name",
    "agent_id",
    "agent.source",
    "user.groups",
    "identity.source",
    "workspace.host_paths",
    "workflow.run_id",
    "workflow.name",
    "anthropic.provider",
    "anthropic.custom_base_url",
    "message.uuid",
}

# On the resource: what the OpenTelemetry SDK sets (service.name feeds the ServiceName columns).
RESOURCE = {
    "service.name",
    "service.version",
    "service.namespace",
    "service.instance.id",
    "os.type",
    "os.version",
    "host.arch",
    "telemetry.sdk.name",
    "telemetry.sdk.language",
    "telemetry.sdk.version",
}

# Metric data point dimensions besides the standard attributes.
METRICS = {"type", "language", "start_type"}

EVENTS = {
    # api_request / api_error / api_retries_exhausted / api_refusal
    "model",
    "cost_usd",
    "cost_usd_micros",
    "duration_ms",
    "ttft_ms",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "request_id",
    "client_request_id",
    "speed",
    "query_source",
    "effort",
    "cache_creation_5m_tokens",
    "cache_creation_1h_tokens",
    "skill.name",
    "plugin.name",
    "marketplace.name",
    "mcp_server.name",
    "mcp_tool.name",
    "final_model",
    "model_swapped",
    "permission_mode",
    "status_code",
    "attempt",
    "total_attempts",
    "total_retry_duration_ms",
    "server_fallback_hop",
    "has_category",
    "has_explanation",
    # tool_result / tool_decision
    "tool_name",
    "tool_use_id",
    "success",
    "error_type",
    "decision_type",
    "decision_source",
    "tool_input_size_bytes",
    "tool_result_size_bytes",
    "decision",
    "source",
    "tool_source",
    "mcp_server_scope",
    # user_prompt / assistant_response (their lengths, never their text)
    "prompt_length",
    "response_length",
    "command_name",
    "command_source",
    # compaction, internal errors, mentions, sub-agents
    "trigger",
    "pre_tokens",
    "post_tokens",
    "precompute_reuse",
    "error_name",
    "error_code",
    "mention_type",
    "agent_type",
    "is_built_in",
    "is_async",
    "total_tokens",
    "total_tool_uses",
    # hooks, plugins, skills, MCP, modes
    "hook_event",
    "hook_type",
    "hook_source",
    "safe_mode",
    "hook_matcher",
    "hook_name",
    "num_hooks",
    "managed_only",
    "num_success",
    "num_blocking",
    "num_non_blocking_error",
    "num_cancelled",
    "total_duration_ms",
    "plugin_name",
    "plugin_version",
    "marketplace_name",
    "skill_name",
    "skill_source",
    "server_scope",
    "transport_type",
    "status",
    "mode",
    "from_mode",
    "to_mode",
}

SPANS = {
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
}

ALLOWED_ATTRIBUTES: tuple[str, ...] = tuple(sorted(STANDARD | RESOURCE | METRICS | EVENTS | SPANS))

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

# Attributes safe only on some events: the API's error message is not user content, while a
# tool's ``error`` can hold command output.
ALLOWED_EVENT_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("api_error", "error"),
    ("api_retries_exhausted", "error"),
)

"""Which event and span attributes are stored: an allow-list of names known to hold no content.

Claude Code puts prompts, responses, tool inputs and error text under attribute names that
change between versions (``prompt``, ``prompt_text``, ``response``, ``tool_parameters``,
``tool_input``...). A block-list would miss the next new name, so only the attributes below
are kept unless the user opts in with ``CC_PIPELINE_KEEP_CONTENT=1``. Metric data point
attributes are dimensions (model, type, decision) and are always kept.
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
}

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

ALLOWED_ATTRIBUTES: tuple[str, ...] = tuple(sorted(STANDARD | EVENTS | SPANS))

# Attributes safe only on some events: the API's error message is not user content, while a
# tool's ``error`` can hold command output.
ALLOWED_EVENT_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("api_error", "error"),
    ("api_retries_exhausted", "error"),
)

"""Claude Code's documented events with every documented attribute (monitoring docs,
2.1.2xx-2.1.3xx), and content sent under every documented content name.

Each event lists its non-content attributes with a value, the typed view that shows it and
the row that view must show; ``CONTENT`` the content attributes each event may carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STANDARD = {
    "session.id": "s-doc",
    "user.id": "u-1",
    "user.email": "alice@example.com",
    "user.account_uuid": "acct-1",
    "user.account_id": "acct-id-1",
    "organization.id": "org-1",
    "terminal.type": "vscode",
    "app.version": "2.1.300",
    "app.entrypoint": "cli",
    "prompt.id": "p-1",
    "event.timestamp": "2026-01-01T00:00:00.000Z",
    "event.sequence": "1",
    "user.groups": "eng",
    "identity.source": "okta",
    "workspace.host_paths": "/home/alice/webapp",
    "workflow.run_id": "run-1",
    "workflow.name": "ci",
    "anthropic.provider": "bedrock",
    "anthropic.custom_base_url": "https://gateway.example.com",
}


@dataclass(frozen=True)
class Event:
    name: str
    attributes: dict[str, str]
    view: str = ""
    row: dict[str, Any] = field(default_factory=dict)


EVENTS: tuple[Event, ...] = (
    Event(
        "api_request",
        {
            "model": "claude-opus-5",
            "cost_usd": "0.25",
            "cost_usd_micros": "250000",
            "duration_ms": "1200",
            "ttft_ms": "300",
            "input_tokens": "10",
            "output_tokens": "20",
            "cache_read_tokens": "30",
            "cache_creation_tokens": "40",
            "cache_creation_5m_tokens": "15",
            "cache_creation_1h_tokens": "25",
            "request_id": "req_doc",
            "client_request_id": "creq_doc",
            "speed": "fast",
            "query_source": "subagent",
            "effort": "high",
            "agent.name": "reviewer",
            "agent_id": "agent-1",
            "skill.name": "pdf",
            "plugin.name": "docs-kit",
            "marketplace.name": "acme",
            "mcp_server.name": "github",
            "mcp_tool.name": "create_issue",
        },
        "cc_api_requests",
        {
            "model": "claude-opus-5",
            "cost_usd": 0.25,
            "input_tokens": 10,
            "cache_creation_5m_tokens": 15,
            "cache_creation_1h_tokens": 25,
            "agent_name": "reviewer",
            "agent_id": "agent-1",
            "skill_name": "pdf",
            "plugin_name": "docs-kit",
            "marketplace_name": "acme",
            "mcp_server_name": "github",
            "mcp_tool_name": "create_issue",
            "provider": "bedrock",
            "custom_base_url": "https://gateway.example.com",
            "account_uuid": "acct-1",
            "entrypoint": "cli",
        },
    ),
    Event(
        "assistant_response",
        {
            "model": "claude-opus-5",
            "request_id": "req_doc",
            "message.uuid": "m-1",
            "query_source": "main",
            "response_length": "512",
        },
        "cc_assistant_responses",
        {"model": "claude-opus-5", "message_uuid": "m-1", "response_length": 512},
    ),
    Event(
        "user_prompt",
        {
            "prompt_length": "42",
            "message.uuid": "m-0",
            "command_name": "review",
            "command_source": "builtin",
        },
        "cc_user_prompts",
        {"prompt_length": 42, "command_name": "review"},
    ),
    Event(
        "tool_result",
        {
            "tool_name": "Bash",
            "tool_use_id": "tu-1",
            "success": "false",
            "duration_ms": "75",
            "error_type": "exit_code",
            "decision_type": "accept",
            "decision_source": "config",
            "permission_mode": "default",
            "tool_input_size_bytes": "120",
            "tool_result_size_bytes": "4096",
            "mcp_server_scope": "project",
        },
        "cc_tool_results",
        {"tool_name": "Bash", "success": False, "tool_result_size_bytes": 4096},
    ),
    Event(
        "tool_decision",
        {
            "tool_name": "Edit",
            "tool_use_id": "tu-2",
            "decision": "reject",
            "source": "user_reject",
            "tool_source": "builtin",
            "permission_mode": "acceptEdits",
        },
        "cc_tool_decisions",
        {"tool_name": "Edit", "decision": "reject"},
    ),
    Event(
        "subagent_completed",
        {
            "agent_type": "general-purpose",
            "agent.source": "built-in",
            "agent_id": "agent-2",
            "model": "claude-sonnet-4-5",
            "final_model": "claude-haiku-4-5",
            "model_swapped": "true",
            "is_async": "false",
            "is_built_in": "true",
            "duration_ms": "9000",
            "total_tokens": "12345",
            "total_tool_uses": "7",
        },
        "cc_subagent_completions",
        {
            "agent_type": "general-purpose",
            "agent_source": "built-in",
            "agent_id": "agent-2",
            "final_model": "claude-haiku-4-5",
            "model_swapped": True,
            "is_async": False,
            "total_tokens": 12345,
            "total_tool_uses": 7,
        },
    ),
    Event(
        "compaction",
        {
            "trigger": "auto",
            "pre_tokens": "180000",
            "post_tokens": "20000",
            "precompute_reuse": "true",
            "success": "true",
            "duration_ms": "3000",
        },
        "cc_compactions",
        {"trigger": "auto", "pre_tokens": 180000, "post_tokens": 20000, "success": True},
    ),
    Event(
        "plugin_loaded",
        {
            "plugin.name": "docs-kit",
            "plugin.scope": "user",
            "marketplace.name": "acme",
            "plugin_id_hash": "ab12",
            "enabled_via": "settings",
            "has_hooks": "true",
            "has_mcp": "false",
        },
        "cc_plugin_loads",
        {
            "plugin_name": "docs-kit",
            "plugin_scope": "user",
            "marketplace_name": "acme",
            "has_hooks": True,
            "has_mcp": False,
        },
    ),
    Event(
        "plugin_installed",
        {"plugin.name": "docs-kit", "marketplace.name": "acme", "plugin.scope": "project"},
    ),
    Event(
        "hook_execution_complete",
        {
            "hook_event": "PreToolUse",
            "hook_name": "lint",
            "hook_source": "settings",
            "hook_type": "command",
            "hook_matcher": "Bash",
            "num_hooks": "2",
            "num_success": "1",
            "num_blocking": "1",
            "num_non_blocking_error": "0",
            "num_cancelled": "0",
            "total_duration_ms": "150",
        },
        "cc_hook_executions",
        {"hook_event": "PreToolUse", "hook_name": "lint", "num_hooks": 2, "num_blocking": 1},
    ),
    Event(
        "hook_execution_start",
        {"hook_event": "PreToolUse", "hook_name": "lint", "num_hooks": "2"},
    ),
    Event(
        "hook_registered",
        {"hook_event": "Stop", "hook_source": "plugin", "hook_type": "command"},
    ),
    Event(
        "api_error",
        {
            "model": "claude-opus-5",
            "error": "Overloaded",
            "status_code": "529",
            "duration_ms": "100",
            "attempt": "2",
            "request_id": "req_err",
        },
        "cc_api_errors",
        {"status_code": 529, "error": "Overloaded", "attempt": 2},
    ),
    Event(
        "api_retries_exhausted",
        {"model": "claude-opus-5", "total_attempts": "10", "total_retry_duration_ms": "60000"},
    ),
    Event(
        "api_refusal",
        {
            "model": "claude-opus-5",
            "request_id": "req_ref",
            "server_fallback_hop": "1",
            "has_category": "true",
            "has_explanation": "false",
        },
        "cc_api_refusals",
        {"request_id": "req_ref", "server_fallback_hop": 1, "has_category": True},
    ),
    Event(
        "internal_error",
        {"error_name": "TypeError", "error_code": "E42"},
        "cc_internal_errors",
        {"error_name": "TypeError", "error_code": "E42"},
    ),
    Event(
        "at_mention",
        {"mention_type": "file", "success": "true"},
        "cc_at_mentions",
        {"mention_type": "file", "success": True},
    ),
    Event(
        "permission_mode_changed",
        {"from_mode": "default", "to_mode": "plan"},
        "cc_permission_mode_changes",
        {"from_mode": "default", "to_mode": "plan"},
    ),
    Event(
        "mcp_server_connection",
        {
            "mcp_server.name": "github",
            "server_scope": "user",
            "transport_type": "stdio",
            "status": "connected",
        },
        "cc_mcp_server_connections",
        {"server_scope": "user", "transport_type": "stdio", "status": "connected"},
    ),
    Event(
        "skill_activated",
        {"skill.name": "pdf", "skill_source": "plugin"},
        "cc_skill_activations",
        {"skill_name": "pdf", "skill_source": "plugin"},
    ),
    Event(
        "retention_sweep",
        {"transcripts_deleted": "12", "period_days": "30", "files_past_cutoff": "14"},
        "cc_retention_sweeps",
        {"transcripts_deleted": 12, "period_days": 30.0, "files_past_cutoff": 14},
    ),
)

# Content each event may carry, under every name Claude Code has used for it.
CONTENT: dict[str, tuple[str, ...]] = {
    "user_prompt": ("prompt", "prompt_text"),
    "assistant_response": ("response",),
    "tool_result": ("tool_input", "tool_parameters", "error", "tool_output", "content"),
    "tool_decision": ("tool_parameters", "tool_input"),
    "api_refusal": ("category",),
    "api_request_body": ("body",),
    "api_response_body": ("body",),
    "hook_execution_complete": ("stdout", "stderr", "hook_output"),
}


def secret(event: str, attribute: str) -> str:
    """A distinctive content value, to search the whole database for."""
    return f"SECRET-{event}-{attribute}-7f3a"

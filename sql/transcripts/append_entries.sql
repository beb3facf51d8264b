-- The loadable lines of one batch (no _problem) move from the scratch table into
-- transcript_entries; lines with a problem stay behind (rejected_lines.sql quarantines them).
-- Every column of transcript_entries, named so the scratch table's extra columns stay out.
INSERT INTO transcript_entries (
    _file_key, _offset, line_length, root, file_path, file_kind, project, session_id,
    agent_id, entry_type, entry_subtype, uuid, timestamp, cwd, version, is_sidechain,
    is_api_error_message, usage_source, message_id, request_id, has_request_id, model, speed,
    input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,
    cache_creation_5m_tokens, cache_creation_1h_tokens, has_cache_breakdown,
    cache_creation_tokens, recorded_cost_usd, tool_names, tool_use_count, countable,
    skip_reason, loaded_at, git_branch, machine
)
SELECT
    _file_key, _offset, line_length, root, file_path, file_kind, project, session_id,
    agent_id, entry_type, entry_subtype, uuid, timestamp, cwd, version, is_sidechain,
    is_api_error_message, usage_source, message_id, request_id, has_request_id, model, speed,
    input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,
    cache_creation_5m_tokens, cache_creation_1h_tokens, has_cache_breakdown,
    cache_creation_tokens, recorded_cost_usd, tool_names, tool_use_count, countable,
    skip_reason, loaded_at, git_branch, machine
FROM _batch_transcript_entries
WHERE _problem = ''

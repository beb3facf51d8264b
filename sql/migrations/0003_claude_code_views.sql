
-- cc_events: defined in sql/views/cc_events.sql, applied again whenever it changes

-- cc_api_requests: defined in sql/views/cc_api_requests.sql, applied again whenever it changes

-- cc_api_errors: defined in sql/views/cc_api_errors.sql, applied again whenever it changes

-- cc_tool_results: defined in sql/views/cc_tool_results.sql, applied again whenever it changes

-- cc_tool_decisions: defined in sql/views/cc_tool_decisions.sql, applied again whenever it changes

-- cc_user_prompts: defined in sql/views/cc_user_prompts.sql, applied again whenever it changes

-- cc_metric_deltas: defined in sql/views/cc_metric_deltas.sql, applied again whenever it changes

"""Dagster face of the budgets: a check on usage_daily evaluated after each rollup refresh."""

import dagster as dg

from cc_pipeline.resources.clickhouse import ClickHouseResource


@dg.asset_check(
    asset="usage_daily",
    name="budgets_within_limits",
    description="Every budget of budgets.yaml: ERROR when actual spend passes 100% of a budget, "
    "WARN when its forecast to the end of the period passes 75%; calls the budget's webhook "
    "once per crossing (75/90/100%).",
)
def budgets_check(
    context: dg.AssetCheckExecutionContext, clickhouse: ClickHouseResource
) -> dg.AssetCheckResult:
    """Evaluate every budget (spend so far, forecast, state) and send new crossings."""
    from cc_pipeline.budgets.alerts import send_alerts
    from cc_pipeline.budgets.config import BudgetError, check_columns, load_budgets
    from cc_pipeline.budgets.evaluate import evaluate_budgets

    try:
        budgets = load_budgets()
        with clickhouse.connect(on_wait=context.log.info) as client:
            check_columns(client, budgets)
            evaluations = evaluate_budgets(client, budgets)
    except BudgetError as exc:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=str(exc),
        )
    outcome = send_alerts(evaluations, log=context.log.warning)
    over = [e.budget.name for e in evaluations if e.state == "over"]
    warned = [e.budget.name for e in evaluations if e.state == "warn"]
    table = ["| budget | period | usd | spent | forecast | state |", "|---|---|---|---|---|---|"]
    table += [f"| {' | '.join(str(v) for v in e.row())} |" for e in evaluations]
    return dg.AssetCheckResult(
        passed=not over and not warned,
        severity=dg.AssetCheckSeverity.ERROR if over else dg.AssetCheckSeverity.WARN,
        description=(
            f"over: {', '.join(over)}" if over else f"forecast over 75%: {', '.join(warned)}"
        )
        if over or warned
        else f"{len(evaluations)} budget(s) ok",
        metadata={
            "budgets": dg.MetadataValue.md("\n".join(table)),
            "alerts_sent": dg.MetadataValue.int(len(outcome.sent)),
            "webhooks_failed": dg.MetadataValue.text("; ".join(outcome.failed) or "-"),
        },
    )


defs = dg.Definitions(asset_checks=[budgets_check])

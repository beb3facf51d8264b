"""Budget alerts: a Slack-compatible webhook called once per threshold crossing.

A crossing is a budget passing 75% or 90% of its amount by forecast, or 100% by actual spend,
in one period. Each is sent at most once: the crossings sent are recorded in
``CC_PIPELINE_HOME/budgets/alerts.json``, rewritten atomically (fsynced, then renamed) only
after the webhook answered 2xx, under a lock so two evaluations never send the same one.
A request that fails (connection error, 429 or 5xx) is retried with backoff; when every try
fails nothing is recorded and the next evaluation tries again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from cc_pipeline import settings
from cc_pipeline.budgets.evaluate import OVER_AT, Evaluation
from cc_pipeline.files.cursors import source_lock

RETRIES = 4
BACKOFF_S = 0.5
TIMEOUT_S = 10.0


@dataclass
class AlertOutcome:
    """What one round of alerts did."""

    sent: list[str] = field(default_factory=list)  # crossing keys recorded as sent
    failed: list[str] = field(default_factory=list)  # messages of webhooks that kept failing


def alerts_path() -> Path:
    return settings.current().home / "budgets" / "alerts.json"


def crossing_key(evaluation: Evaluation, threshold: int) -> str:
    """One crossing: budget, period, period start and threshold."""
    b = evaluation.budget
    return f"{b.name}|{b.period}|{evaluation.period_start.isoformat()}|{threshold}"


def message(evaluation: Evaluation, threshold: int) -> str:
    """The alert's text."""
    b = evaluation.budget
    period = f"{b.period} from {evaluation.period_start.isoformat()}"
    if threshold >= OVER_AT:
        return (
            f"Budget {b.name} ({period}) is over: ${evaluation.spent_usd:,.2f} spent of "
            f"${b.usd:,.2f}."
        )
    return (
        f"Budget {b.name} ({period}) is forecast to pass {threshold}%: "
        f"${evaluation.forecast_usd:,.2f} expected of ${b.usd:,.2f} "
        f"(${evaluation.spent_usd:,.2f} spent so far)."
    )


def _session(retries: int, backoff_s: float) -> requests.Session:
    retry = Retry(
        total=retries,
        backoff_factor=backoff_s,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"POST"}),
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def _read(path: Path) -> dict[str, str]:
    try:
        sent = json.loads(path.read_text()).get("sent", {})
    except FileNotFoundError:
        return {}
    return {str(k): str(v) for k, v in sent.items()}


def _write(path: Path, sent: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    with open(scratch, "w") as fh:
        json.dump({"version": 1, "sent": sent}, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(scratch, path)


def _post(session: requests.Session, url: str, text: str) -> str | None:
    """None when the webhook took the message, else why not (the URL, a secret, unsaid)."""
    host = urlsplit(url).hostname or "webhook"
    try:
        answer = session.post(url, json={"text": text}, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        return f"webhook at {host} failed: {type(exc).__name__}"
    if 200 <= answer.status_code < 300:
        return None
    return f"webhook at {host} answered {answer.status_code}"


def send_alerts(
    evaluations: list[Evaluation],
    *,
    retries: int = RETRIES,
    backoff_s: float = BACKOFF_S,
    log: Callable[[str], None] | None = None,
) -> AlertOutcome:
    """Call each budget's webhook for its crossings not sent yet in this period: one message
    naming the highest new threshold; every new threshold is then recorded as sent."""
    say = log or (lambda _msg: None)
    outcome = AlertOutcome()
    pending = [e for e in evaluations if e.budget.webhook is not None and e.thresholds]
    if not pending:
        return outcome
    path = alerts_path()
    session = _session(retries, backoff_s)
    with source_lock(path.with_suffix(".lock"), TIMEOUT_S * (retries + 2), say):
        sent = _read(path)
        for evaluation in pending:
            new = [t for t in evaluation.thresholds if crossing_key(evaluation, t) not in sent]
            if not new:
                continue
            problem = _post(session, str(evaluation.budget.webhook), message(evaluation, max(new)))
            if problem:
                outcome.failed.append(f"{evaluation.budget.name}: {problem}")
                say(f"budget {evaluation.budget.name}: {problem}; will try again next time")
                continue
            stamp = datetime.now(UTC).isoformat()
            for threshold in new:
                sent[crossing_key(evaluation, threshold)] = stamp
                outcome.sent.append(crossing_key(evaluation, threshold))
            _write(path, sent)
    return outcome

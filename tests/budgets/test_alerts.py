"""The budget webhook: called once per crossing, retried, never twice for the same crossing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cc_pipeline.budgets.alerts import alerts_path, send_alerts
from cc_pipeline.budgets.config import Budget
from cc_pipeline.budgets.evaluate import evaluate_budgets

COLUMNS = ["day", "model", "user_id", "organization_id", "project", "requests", "cost_usd"]


class Receiver:
    """A Slack-like webhook on 127.0.0.1 that fails its first ``failures`` requests with 500."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.requests: list[tuple[int, dict[str, Any]]] = []  # (status answered, body)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = 500 if len(receiver.requests) < receiver.failures else 200
                receiver.requests.append((status, body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(failures=2) as running:
        yield running


def spend_on(client: Any, day: date, cost: float) -> None:
    client.insert("usage_daily", [[day, "m", "u", "o", "a", 1, cost]], column_names=COLUMNS)


def now() -> datetime:
    return datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_a_crossing_is_retried_after_500s_then_sent_once_and_never_again(ch, receiver):
    budget = Budget(name="a-month", period="month", usd=100, webhook=receiver.url)
    spend_on(ch, date(2026, 11, 3), 120.0)
    evaluations = evaluate_budgets(ch, [budget], now())
    outcome = send_alerts(evaluations, backoff_s=0.01)
    assert [status for status, _ in receiver.requests] == [500, 500, 200]
    texts = {body["text"] for _, body in receiver.requests}
    assert len(texts) == 1 and "a-month" in texts.pop()
    assert sorted(outcome.sent) == [f"a-month|month|2026-11-01|{t}" for t in (100, 75, 90)]
    assert outcome.failed == []
    assert set(json.loads(alerts_path().read_text())["sent"]) == set(outcome.sent)

    again = send_alerts(evaluate_budgets(ch, [budget], now()), backoff_s=0.01)
    assert again.sent == [] and len(receiver.requests) == 3


def test_a_later_threshold_is_a_new_crossing_and_a_new_period_starts_over(ch, receiver):
    receiver.failures = 0
    budget = Budget(name="b", period="month", usd=100, webhook=receiver.url)
    spend_on(ch, date(2026, 11, 3), 60.0)  # forecast about $92: past 90%, spend under 100%
    first = send_alerts(evaluate_budgets(ch, [budget], now()))
    assert [key.rsplit("|", 1)[1] for key in first.sent] == ["75", "90"]
    spend_on(ch, date(2026, 11, 4), 50.0)
    second = send_alerts(evaluate_budgets(ch, [budget], now()))
    assert second.sent == ["b|month|2026-11-01|100"]
    assert "is over: $110.00 spent of $100.00" in receiver.requests[-1][1]["text"]
    spend_on(ch, date(2026, 12, 2), 500.0)
    december = send_alerts(evaluate_budgets(ch, [budget], datetime(2026, 12, 3, tzinfo=UTC)))
    assert {key.split("|")[2] for key in december.sent} == {"2026-12-01"}
    assert len(receiver.requests) == 3


def test_a_webhook_that_keeps_failing_records_nothing_and_is_tried_next_time(ch):
    with Receiver(failures=100) as failing:
        budget = Budget(name="c", period="day", usd=1, webhook=failing.url)
        spend_on(ch, now().date(), 5.0)
        outcome = send_alerts(evaluate_budgets(ch, [budget], now()), retries=2, backoff_s=0.01)
        assert outcome.sent == [] and outcome.failed == ["c: webhook at 127.0.0.1 answered 500"]
        assert len(failing.requests) == 3
        assert not alerts_path().exists()
        failing.failures = 0
        retried = send_alerts(evaluate_budgets(ch, [budget], now()), retries=2, backoff_s=0.01)
        assert len(retried.sent) == 3 and len(failing.requests) == 4


def test_budgets_without_a_webhook_send_nothing(ch):
    spend_on(ch, now().date(), 5.0)
    budget = Budget(name="quiet", period="day", usd=1)
    assert send_alerts(evaluate_budgets(ch, [budget], now())).sent == []
    assert not alerts_path().exists()

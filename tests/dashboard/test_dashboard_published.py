"""The served page's numbers from the published data of `cc-pipeline demo` are what SQL on
usage_requests says: the KPIs of a period and of the period before it under a filter, the
latest sessions with and without filters, and after a new publish the new generation's numbers
(answers kept for one generation are never shown for another); data published by an older
version asks for a new publish."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import clickhouse_connect
import pytest

from cc_pipeline.dashboard.page import Filters, page_data
from cc_pipeline.dashboard.publish import data_link, publish_data
from cc_pipeline.dashboard.source import PublishedSource
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.rollups.demo import run_demo
from cc_pipeline.schema import migrate

TOTALS = (
    "SELECT count(), sum(cost_usd), sum(total_tokens), uniqExact(session_id) "
    "FROM usage_requests WHERE day BETWEEN {since:Date} AND {until:Date} AND model = {model:String}"
)
LATEST_SESSIONS = (
    "SELECT session_id, count() FROM usage_requests "
    "WHERE day BETWEEN {since:Date} AND {until:Date} "
    "AND (empty({users:Array(String)}) OR user_id IN {users:Array(String)}) "
    "GROUP BY session_id ORDER BY min(timestamp) DESC, session_id LIMIT 100"
)


@dataclass
class Demo:
    root: Path  # the dashboard folder: the data link and the generations
    first: Path  # the generation the demo published
    second: Path  # published again without the last day
    last: date
    model: str
    users: list[str]
    sql: dict[str, Any]  # what SQL on usage_requests says


def totals(client: Any, since: date, until: date, model: str) -> list[float]:
    row = client.query(TOTALS, parameters={"since": since, "until": until, "model": model})
    return [float(value) for value in row.result_rows[0]]


def latest(client: Any, since: date, until: date, users: list[str]) -> list[tuple[str, int]]:
    params = {"since": since, "until": until, "users": users}
    return [tuple(row) for row in client.query(LATEST_SESSIONS, parameters=params).result_rows]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo month published twice: as it is, then without its last day."""
    root = tmp_path_factory.mktemp("published")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOME", str(root / "user"))
        env.setenv("CLAUDE_CONFIG_DIR", str(root / "claude"))
        env.setenv("CC_PIPELINE_HOME", str(root / "cc"))
        with ClickHouseResource(mode="embedded", path=str(root / "chdb")).connect() as client:
            migrate(client)
            run_demo(client, root / "demo", log=lambda _m: None)
            first = data_link().resolve()
            last, model = client.query(
                "SELECT max(day), topK(1)(model)[1] FROM usage_requests"
            ).result_rows[0]
            users = client.query(
                "SELECT arraySort(groupUniqArray(user_id)) FROM usage_requests WHERE user_id != ''"
            ).result_rows[0][0][:2]
            day = timedelta(days=1)
            sql = {
                "now": totals(client, last - 9 * day, last, model),
                "before": totals(client, last - 19 * day, last - 10 * day, model),
                "now without the last day": totals(client, last - 9 * day, last - day, model),
                "everyone's sessions": latest(client, last - 29 * day, last, []),
                "two users' sessions": latest(client, last - 29 * day, last, users),
            }
            for table in ("usage_requests", "usage_daily"):
                client.command(
                    "DELETE FROM {t:Identifier} WHERE day = {d:Date}",
                    parameters={"t": table, "d": last},
                )
            second = publish_data(client)
        yield Demo(first.parent, first, second, last, model, users, sql)


@pytest.fixture
def source(demo: Demo) -> Iterator[PublishedSource]:
    point(demo.root, demo.first)
    source = PublishedSource(demo.root)
    yield source
    source.close()


def point(root: Path, generation: Path) -> None:
    """Make ``generation`` the current one, as a publish does."""
    pointer = root / ".link-test"
    os.symlink(generation.name, pointer)
    os.replace(pointer, data_link(root))


def kpis(source: PublishedSource, demo: Demo, **filters: list[str]) -> dict[str, Any]:
    page = page_data(source, Filters(demo.last - timedelta(days=9), demo.last, dict(filters)))
    return {k["name"]: (k["value"], k["previous"]) for k in page["kpis"]}


def test_kpis_compare_the_period_with_the_one_before_under_a_filter(
    source: PublishedSource, demo: Demo
) -> None:
    got = kpis(source, demo, model=[demo.model])
    for index, name in enumerate(("requests", "cost_usd", "tokens", "sessions")):
        assert got[name][0] == pytest.approx(demo.sql["now"][index], rel=1e-9), name
        assert got[name][1] == pytest.approx(demo.sql["before"][index], rel=1e-9), name
    assert got["requests"][0] > 0 and got["requests"][1] > 0


def test_the_sessions_table_lists_the_latest_sessions_with_and_without_filters(
    source: PublishedSource, demo: Demo
) -> None:
    def listed(**filters: list[str]) -> list[tuple[str, int]]:
        page = page_data(source, Filters(values=dict(filters)))
        return [(row["session_id"], row["requests"]) for row in page["sessions"]]

    everyone = listed()
    assert len(everyone) == 100  # the demo month has more sessions than the table shows
    assert everyone == demo.sql["everyone's sessions"]
    assert listed(user_id=demo.users) == demo.sql["two users' sessions"]


def test_a_new_generation_is_read_with_its_own_answers(source: PublishedSource, demo: Demo) -> None:
    requests, model = 0, [demo.model]
    assert kpis(source, demo, model=model)["requests"][0] == demo.sql["now"][requests]
    point(demo.root, demo.second)
    got = kpis(source, demo, model=model)["requests"][0]
    assert got == demo.sql["now without the last day"][requests] < demo.sql["now"][requests]
    point(demo.root, demo.first)
    assert kpis(source, demo, model=model)["requests"][0] == demo.sql["now"][requests]


def test_data_published_before_sessions_had_a_key_asks_for_a_new_publish(
    source: PublishedSource, demo: Demo
) -> None:
    old = demo.root / "data-1"
    shutil.copytree(demo.first, old)
    sessions = old / "session_usage.parquet"
    sessions.unlink()
    writer = clickhouse_connect.get_client(interface="chdb")
    writer.command(
        "INSERT INTO FUNCTION file({out:String}, Parquet) "
        "SELECT * EXCEPT session_key FROM file({src:String}, Parquet)",
        parameters={"out": str(sessions), "src": str(demo.first / "session_usage.parquet")},
    )
    writer.close()
    point(demo.root, old)
    with pytest.raises(FileNotFoundError, match=r"session_key.*cc-pipeline rollup"):
        page_data(source, Filters())
    point(demo.root, demo.first)
    assert kpis(source, demo, model=[demo.model])["requests"][0] == demo.sql["now"][0]

"""The dashboard renders the numbers of a known data set in a real headless chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.dashboard.build import build_dashboard
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.transcripts.backfill import backfill_transcripts
from tests.conftest import FIXTURES

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    script = PROJECT_ROOT / "scripts" / "install_chromium.sh"
    done = subprocess.run([str(script)], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.skip(f"chromium unavailable: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout.strip().splitlines()[-1]


def render(browser: str, page: Path, home: Path) -> str:
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={home}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_dashboard_renders_known_numbers(ch: Any, tmp_path: Path) -> None:
    browser = chromium()
    backfill_transcripts(ch, [FIXTURES / "public-transcripts" / "marot-spotter"])
    refresh_rollups(ch)
    page = build_dashboard(ch, tmp_path / "dashboard.html").path
    html = page.read_text()
    # nothing is loaded from the network: no external script, style or image
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "uPlot" in html
    dom = render(browser, page, tmp_path / "chromium")
    assert 'data-rendered="yes"' in dom

    def kpi(name: str) -> float:
        match = re.search(rf'data-kpi="{name}" data-value="([^"]*)"', dom)
        assert match, name
        return float(match.group(1))

    # ccusage 20.0.24 on the same transcripts: $50.81, 882 requests, 79,011,296 tokens
    assert round(kpi("cost_usd"), 2) == 50.81
    assert kpi("requests") == 882
    assert kpi("tokens") == 7508 + 193983 + 2008302 + 76801503
    assert kpi("sessions") >= 1
    assert dom.count("<canvas") >= 4  # uPlot charts, drawn offline from the inlined library
    assert "claude-opus-4-6" in dom

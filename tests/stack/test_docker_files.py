"""Static checks of docker/ (no Docker engine here): parse, pinned components, loopback, mounts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from cc_pipeline.stack.compose import install_compose_files

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
KNOWN = yaml.safe_load((Path(__file__).parent / "otelcol_contrib_0.136.0.yaml").read_text())
KINDS = {"receivers": "receiver", "processors": "processor", "exporters": "exporter",
         "extensions": "extension", "connectors": "connector"}  # fmt: skip
VAR = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?-([^}]*))?(?::?\?[^}]*)?\}")


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DOCKER / name).read_text())


def with_defaults(text: str) -> str:
    """Compose interpolation with every variable unset: defaults only."""
    return VAR.sub(lambda m: m.group(2) or "", text)


def compose_services() -> dict[str, dict[str, Any]]:
    merged = load("compose.yaml")["services"]
    overlay = load("compose.clickhouse-direct.yaml")["services"]
    for name in overlay:
        assert name in merged, f"overlay service {name} not in compose.yaml"
    return {"base": merged, "overlay": overlay}


def test_compose_services_images_and_names() -> None:
    services = load("compose.yaml")["services"]
    assert services["clickhouse"]["container_name"] == "clickhouse-otel"
    assert services["otel-collector"]["container_name"] == "otel-collector"
    assert services["clickhouse"]["image"] == "clickhouse/clickhouse-server:25.1.3.23"
    assert services["otel-collector"]["image"] == (
        f"otel/opentelemetry-collector-contrib:{KNOWN['version']}"
    )
    for service in services.values():
        assert not service["image"].endswith(":latest") and ":" in service["image"]
    assert "healthcheck" in services["clickhouse"]
    assert "clickhouse-data" in load("compose.yaml")["volumes"]
    env = services["clickhouse"]["environment"]
    assert env["CLICKHOUSE_DB"] == "otel"
    assert env["CLICKHOUSE_PASSWORD"].startswith("${CLICKHOUSE_WRITER_PASSWORD:?")


def test_every_published_port_is_loopback() -> None:
    ports = []
    for group in compose_services().values():
        for service in group.values():
            ports += service.get("ports", [])
    assert ports
    for port in ports:
        assert isinstance(port, str) and port.startswith("127.0.0.1:"), port
    published = {p.split(":")[1] for p in ports}
    assert published == {"8123", "9000", "4317", "4318", "13133", "8888"}


def bind_mount_sources(folder: Path) -> list[tuple[str, Path]]:
    """(compose file, resolved source) of every bind mount of the stack run in ``folder``."""
    found = []
    for name in ("compose.yaml", "compose.clickhouse-direct.yaml"):
        services = yaml.safe_load(with_defaults((folder / name).read_text()))["services"]
        for service in services.values():
            for volume in service.get("volumes", []):
                source = volume.split(":", 1)[0]
                if source.startswith((".", "/")):  # not a named volume
                    found.append((name, (folder / source).resolve()))
    return found


def test_every_bind_mount_exists_in_the_repo() -> None:
    for name, path in bind_mount_sources(DOCKER):
        assert path.exists(), f"{name}: mount source {path} missing"
        assert path.is_relative_to(ROOT), path


def test_every_bind_mount_exists_in_the_compose_folder_the_stack_runs_in(
    tmp_path: Path,
) -> None:
    """The stack runs from a copy of the shipped files; every config it mounts is copied."""
    folder = install_compose_files(tmp_path / "docker")
    for name, path in bind_mount_sources(folder):
        if path.name == "otel-output":
            continue  # the default OTEL_OUTPUT_DIR; cc-pipeline stack up always sets it
        assert path.is_file(), f"{name}: mount source {path} not copied"
        assert path.is_relative_to(folder), path


def component_ids(config: dict[str, Any]) -> list[tuple[str, str]]:
    ids = [(kind, cid) for kind in KINDS for cid in (config.get(kind) or {})]
    service = config.get("service", {})
    ids += [("extensions", cid) for cid in service.get("extensions", [])]
    for pipeline in service.get("pipelines", {}).values():
        for kind in ("receivers", "processors", "exporters"):
            ids += [(kind, cid) for cid in pipeline.get(kind, [])]
    return ids


@pytest.mark.parametrize("name", ["config.yaml", "clickhouse-direct.yaml"])
def test_collector_config_names_only_components_of_the_pinned_release(name: str) -> None:
    config = load(f"otel-collector/{name}")
    ids = component_ids(config)
    assert ids
    for kind, cid in ids:
        module = cid.split("/", 1)[0].replace("_", "") + KINDS[kind]
        known = KNOWN[kind]
        assert module in known, f"{name}: {kind} {cid} is not in otelcol-contrib {KNOWN['version']}"


def test_collector_pipelines_reference_defined_components() -> None:
    base = load("otel-collector/config.yaml")
    overlay = load("otel-collector/clickhouse-direct.yaml")
    for config in (base, {**base, "exporters": {**base["exporters"], **overlay["exporters"]}}):
        for pipeline in config["service"]["pipelines"].values():
            for kind in ("receivers", "processors", "exporters"):
                for cid in pipeline.get(kind, []):
                    assert cid in config[kind], cid
    for signal, pipeline in base["service"]["pipelines"].items():
        assert pipeline["processors"][0] == "memory_limiter", signal
        assert "batch" in pipeline["processors"]
        assert "file" in pipeline["exporters"]
    assert set(overlay["service"]["pipelines"]) == set(base["service"]["pipelines"])


def test_file_exporter_writes_rotating_jsonl_the_ingestion_reads() -> None:
    config = load("otel-collector/config.yaml")
    file_exporter = config["exporters"]["file"]
    assert file_exporter["format"] == "json"
    assert "compression" not in file_exporter  # zstd would not be JSONL
    assert not (file_exporter.get("append") and "rotation" in file_exporter)  # refused by 0.136
    assert file_exporter["rotation"]["max_megabytes"] > 0
    assert file_exporter["path"].startswith("/otel-output/")
    collector = load("compose.yaml")["services"]["otel-collector"]
    assert any(v.endswith(":/otel-output") for v in collector["volumes"])
    assert config["extensions"]["health_check"]["endpoint"].endswith(":13133")
    reader = config["service"]["telemetry"]["metrics"]["readers"][0]
    assert reader["pull"]["exporter"]["prometheus"]["port"] == 8888


def test_clickhouse_direct_writes_our_tables(ch: Any) -> None:
    exporter = load("otel-collector/clickhouse-direct.yaml")["exporters"]["clickhouse"]
    assert exporter["create_schema"] is False
    assert exporter["database"] == "otel"
    assert exporter["password"] == "${env:CLICKHOUSE_WRITER_PASSWORD}"
    for table, columns in KNOWN["clickhouse_insert_columns"].items():
        ours = {
            name
            for (name,) in ch.query(
                "SELECT name FROM system.columns WHERE database = currentDatabase() "
                "AND table = {t:String}",
                parameters={"t": table},
            ).result_rows
        }
        assert set(columns) <= ours, f"{table} lacks {set(columns) - ours}"
    tables = {r[0] for r in ch.query("SHOW TABLES").result_rows}
    assert {"otel_metrics_sum", "otel_metrics_gauge", "otel_metrics_histogram"} <= tables


def test_clickhouse_users_no_passwordless_user_and_a_read_only_one() -> None:
    root = ET.parse(DOCKER / "clickhouse/users.d/cc_reader.xml").getroot()
    users = root.find("users")
    assert users is not None
    assert users.find("default").get("remove") == "remove"
    reader = users.find("cc_reader")
    assert reader.find("password").get("from_env") == "CLICKHOUSE_READER_PASSWORD"
    profile = reader.find("profile").text
    assert root.find(f"profiles/{profile}/readonly").text == "1"
    assert reader.find("grants/query").text == "GRANT SELECT ON otel.*"
    ET.parse(DOCKER / "clickhouse/config.d/cc_pipeline.xml")


def test_no_secret_in_the_repo_and_env_file_ignored() -> None:
    for path in DOCKER.rglob("*"):
        if path.is_file() and path.name != ".env" and "otel-output" not in path.parts:
            text = path.read_text()
            secret = re.search(r"(?i)password[ \t]*[:=][ \t]*[A-Za-z0-9_\-]{8,}", text)
            assert not secret, path
    ignore = (ROOT / ".gitignore").read_text().split()
    assert "docker/.env" in ignore

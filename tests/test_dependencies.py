"""Every third-party module the code imports comes from a declared dependency, and
constraints.txt pins every dependency at a version its declared range allows."""

from __future__ import annotations

import ast
import importlib.util
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCAL = {"cc_pipeline", "tests", "bench"}


def declared(*extras: str) -> dict[str, Requirement]:
    specs = list(PROJECT["dependencies"])
    for extra in extras:
        specs += PROJECT["optional-dependencies"][extra]
    return {canonicalize_name(r.name): r for r in map(Requirement, specs)}


def imported_modules(folder: Path) -> set[str]:
    """Absolute module names imported anywhere under ``folder`` (stdlib and own code left out)."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return {
        n
        for n in names
        if n.split(".")[0] not in sys.stdlib_module_names and n.split(".")[0] not in LOCAL
    }


@cache
def top_level_owners() -> dict[str, list[str]]:
    return metadata.packages_distributions()


@cache
def files_of(distribution: str) -> frozenset[Path]:
    dist = metadata.distribution(distribution)
    return frozenset(Path(dist.locate_file(file)) for file in dist.files or [])


def distribution_of(module: str) -> str:
    """The distribution whose files hold the module (for a namespace package such as
    ``google.rpc``, the one distribution whose files fill its folder)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None, f"{module} is not installed"
    if spec.origin not in (None, "namespace"):
        folders, origin = [], Path(spec.origin)
    else:
        folders, origin = [Path(p) for p in spec.submodule_search_locations or []], None
    candidates = top_level_owners().get(module.split(".")[0], [])
    owners = {
        canonicalize_name(name)
        for name in candidates
        if origin in files_of(name)
        or any(f.is_relative_to(folder) for f in files_of(name) for folder in folders)
    }
    assert len(owners) == 1, f"{module}: files from {sorted(owners)} of {candidates}"
    return owners.pop()


def undeclared(folder: Path, allowed: dict[str, Requirement]) -> dict[str, str]:
    found = {module: distribution_of(module) for module in sorted(imported_modules(folder))}
    return {module: dist for module, dist in found.items() if dist not in allowed}


def test_every_module_the_package_imports_comes_from_a_runtime_dependency() -> None:
    assert imported_modules(ROOT / "cc_pipeline")
    assert undeclared(ROOT / "cc_pipeline", declared()) == {}


def test_tests_and_benchmarks_import_only_runtime_and_dev_dependencies() -> None:
    allowed = declared("dev")
    assert undeclared(ROOT / "tests", allowed) == {}
    assert undeclared(ROOT / "bench", allowed) == {}


def test_constraints_pin_every_dependency_within_its_declared_range() -> None:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    assert "cc-pipeline" not in pins
    for name, requirement in declared("dev").items():
        assert name in pins, f"{name} is not pinned: run make lock"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]}: {requirement}"

"""The layers contract (pyproject.toml, `[tool.importlinter]`) holds on the code, and breaks when a
lower layer imports a higher one, when the math imports Django, or when two modules import each
other: each case is a throwaway import in a copy of the sources."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "staff",
    "api",
    "operations",
    "connectors",
    "imports",
    "metrics",
    "tickets",
    "coding",
    "accounts",
    "common",
    "formulas",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


@pytest.fixture
def sources(tmp_path) -> Path:
    """A copy of the Python sources and pyproject.toml, to add a throwaway import to."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.html"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(root: Path, module: str, statement: str) -> None:
    path = root / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    path.write_text(path.read_text() + f"\n{statement}  # throwaway\n")


def test_the_code_keeps_every_contract(sources):
    result = lint_imports(sources)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    [
        ("tickets.models.tickets", "import metrics.models", "Layers import downward only"),
        ("accounts.services", "from api.flow.errors import BAD_REQUEST", "Layers import downward only"),
        ("coding.selectors", "import tickets.models", "Layers import downward only"),
        ("api.haystack.views", "import api.nephthys.views", "Each API surface stands alone"),
        ("formulas.aggregates", "from django.db import models", "The metric math imports no Django"),
        ("imports.validation.index", "import imports.validation.bundle", "No import circle"),
    ],
)
def test_a_forbidden_import_breaks_the_contract(sources, module, statement, contract):
    add_import(sources, module, statement)
    result = lint_imports(sources)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), result.stdout

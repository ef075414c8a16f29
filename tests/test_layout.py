"""The package layout holds: no import cycles, no stage importing a later stage, small modules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools" / "import_graph.py")
assert _spec and _spec.loader
import_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_graph)

MAX_MODULE_LINES = 450
# Modules that are data, not logic: a declaration per entry reads best in one place.
DATA_MODULES = {"fuling_batch/rules/codes.py"}


def test_no_cycles_and_no_stage_imports_a_later_one():
    assert import_graph.problems() == []


def test_the_graph_sees_every_kind_of_import():
    edges = import_graph.graph()
    # A function-level import (outputs imports the summary on first use) and an import under
    # TYPE_CHECKING both count.
    assert "summary" in {t.split(".")[0] for t in edges["outputs"]}
    assert "rules.standard" in edges["intake.reader"]


def test_the_check_fails_on_a_cycle_and_on_a_backward_import():
    edges = {
        "rules.grading": {"summary.stats"},
        "summary.stats": {"rules.grading"},
        "intake.check": {"history.store"},
        "history.store": set(),
    }
    found = import_graph.problems(edges)
    assert "import cycle: rules.grading -> summary.stats" in found
    assert "rules.grading imports the later stage summary.stats" in found
    assert "intake.check imports the later stage history.store" in found


def test_modules_stay_small():
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "fuling_batch").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
        and str(path.relative_to(ROOT)) not in DATA_MODULES
    }
    assert long == {}

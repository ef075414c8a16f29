"""The declared public API resolves, and importing the package stays light."""

from __future__ import annotations

import subprocess
import sys

import fuling_batch


def test_every_public_name_resolves():
    for name in fuling_batch.__all__:
        assert getattr(fuling_batch, name) is not None, name


def test_import_does_not_load_the_heavy_writers():
    code = "import sys, fuling_batch; print(sorted(m for m in ('xlsxwriter','docx','docxtpl','openpyxl','pandas') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

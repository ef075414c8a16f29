"""Regenerate the committed .xls fixture (needs LibreOffice): python -m tests.intake.files.make_xls

``filled_2026.xls`` is the real template filled by openpyxl and converted to BIFF8 by
LibreOffice: full marks except 1.2 blank, 2.1 typed as text " 3 " (out of range) and 3.1 = #REF!.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from tests.intake.files.builders import fill_template

HERE = Path(__file__).parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = fill_template(
            Path(tmp) / "filled_2026.xlsx", {"1.2": None, "2.1": " 3 ", "3.1": "#REF!"}, serial=7
        )
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "xls", "--outdir", str(HERE), str(source)],
            check=True,
            capture_output=True,
        )


if __name__ == "__main__":
    main()

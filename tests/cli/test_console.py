"""The printing helpers on their own (the commands' output is tested through the commands)."""

from __future__ import annotations

from fuling_batch.console import RUN_TABLE_ROWS, print_results
from tests.factories import make_result


def test_run_summary_stays_short_for_large_batches(capsys):
    results = [
        make_result({"2.5": 5 if n % 2 else 0}, serial=n, enterprise=f"企业{n:03d}")
        for n in range(80)
    ]
    print_results(results)
    printed = capsys.readouterr().out
    assert "仅列出需发通知书的前" in printed
    assert sum(f"企业{n:03d}" in printed for n in range(80)) == RUN_TABLE_ROWS
    assert "需发通知书 40 份" in printed

"""Runs in the background: progress while they go, one at a time per year, failures said in Chinese."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fuling_batch.history import History

from .conftest import YEAR, Desk


def test_a_run_reports_progress_then_its_outcome(desk: Desk, samples: list[Path], filled_sheet):
    desk.upload(*samples, filled_sheet("涪陵示例测试有限公司", serial=40, scores={"2.1": 99}))
    started = desk.post(f"/y/{YEAR}/run/start")
    assert started.status_code == 202
    assert 'id="run-panel"' in started.text
    assert desk.app.state.jobs.wait(YEAR, 120)
    done = desk.get(f"/y/{YEAR}/run/progress", headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in done  # polling stops once the run is over
    assert "处理完成" in done
    assert "已接收 12" in done and "已退回 1" in done and "通知书 8 份" in done
    assert "退回修改副本 1 份" in done
    outputs = desk.data / "output" / str(YEAR)
    assert (outputs / "report.json").is_file()
    assert len(list((outputs / "notices").glob("*.docx"))) == 10
    assert (desk.data / "output" / "history.sqlite3").is_file()


def test_a_second_run_of_the_year_while_one_is_going_gets_409(desk: Desk, samples: list[Path]):
    desk.upload(*samples)
    history = desk.data / "output" / "history.sqlite3"
    History(history).close()
    # Another program holds the history database (as DB Browser would): the run cannot end
    # until it lets go, so it is certainly still going when the second request comes.
    holder = sqlite3.connect(history, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert desk.post(f"/y/{YEAR}/run/start").status_code == 202
        going = desk.get(f"/y/{YEAR}/run/progress").text
        assert 'hx-trigger="every 500ms"' in going
        second = desk.post(f"/y/{YEAR}/run/start")
        assert second.status_code == 409
        assert "正在处理中" in second.text and "一次只能进行一次处理" in second.text
        assert second.headers["hx-retarget"] == "#flash"
        # Nor may the year's sheets change under the run.
        assert desk.upload(samples[0]).status_code == 409
        changed = desk.post(f"/y/{YEAR}/files/delete", data={"name": samples[0].name})
        assert changed.status_code == 409 and "处理期间不能修改评分表" in changed.text
        replaced = desk.post(
            f"/y/{YEAR}/files/replace",
            data={"name": samples[0].name},
            files=[("file", (samples[0].name, samples[0].read_bytes()))],
        )
        assert replaced.status_code == 409
        # Another year is not held up.
        other = desk.post("/y/2025/run/start")
        assert other.status_code == 400 and "还没有评分表" in other.text
    finally:
        holder.rollback()
        holder.close()
    assert desk.app.state.jobs.wait(YEAR, 120)
    assert "处理完成" in desk.get(f"/y/{YEAR}/run/progress").text


def test_a_run_without_sheets_is_a_clear_message(desk: Desk):
    response = desk.post(f"/y/{YEAR}/run/start")
    assert response.status_code == 400 and "还没有评分表" in response.text


def test_a_failed_run_says_why_and_the_server_goes_on(desk: Desk, samples: list[Path]):
    desk.upload(*samples[:2])
    history = desk.data / "output" / "history.sqlite3"
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_bytes(b"this is not a database" * 100)
    assert desk.post(f"/y/{YEAR}/run/start").status_code == 202
    assert desk.app.state.jobs.wait(YEAR, 120)
    failed = desk.get(f"/y/{YEAR}/run/progress").text
    assert "处理未完成" in failed and "不是有效的历史数据库" in failed
    assert "重新处理" in failed  # it can be started again
    # The server still answers, and the next run works once the file is moved away.
    history.unlink()
    assert desk.post(f"/y/{YEAR}/run/start").status_code == 202
    assert desk.app.state.jobs.wait(YEAR, 120)
    assert "处理完成" in desk.get(f"/y/{YEAR}/run/progress").text


def test_a_broken_configuration_is_reported_before_the_run(
    desk: Desk, samples: list[Path], tmp_path, monkeypatch
):
    desk.upload(samples[0])
    # Read as the command line reads it: fuling_batch.toml in the working folder.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fuling_batch.toml").write_text("[grading]\npass_min = 'x'\n", encoding="utf-8")
    response = desk.post(f"/y/{YEAR}/run/start")
    assert response.status_code == 400
    assert "grading" in response.text and "操作未能完成" in response.text
    assert desk.app.state.jobs.get(YEAR) is None


def test_a_run_that_would_record_far_fewer_asks_and_replace_confirms(desk: Desk):
    """A re-run with one sheet left after 12 were recorded stops (FewerResults) and writes
    nothing; the page says so and offers to confirm, which re-runs with replace."""
    from .conftest import run_now, sample_run

    first = sample_run(desk, last_year=False, first_year="1")
    assert sum(first.files.values()) == 12
    database = desk.data / "output" / "history.sqlite3"
    report = desk.data / "output" / str(YEAR) / "report.json"
    before = report.read_bytes()
    for name in desk.stored()[1:]:
        assert desk.post(f"/y/{YEAR}/files/delete", data={"name": name}).status_code == 200
    assert len(desk.stored()) == 1

    stopped = run_now(desk, first_year="1")
    assert stopped.fewer and (stopped.recorded, stopped.accepted) == (12, 1)
    panel = desk.get(f"/y/{YEAR}/run/progress").text
    assert "处理已停止，未写入任何文件" in panel
    assert "已记录 2026 年度 <b>12</b> 家企业" in panel and "只有 <b>1</b> 份" in panel
    assert 'name="replace" value="1"' in panel and "确认替换" in panel
    assert 'name="first_year" value="1"' in panel  # the run's own options are kept
    assert "--replace 重新运行" not in panel  # the command line's advice is not the page's
    assert report.read_bytes() == before
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM results WHERE year = 2026").fetchone() == (12,)

    confirmed = run_now(desk, first_year="1", replace="1")
    assert not confirmed.fewer and sum(confirmed.files.values()) == 1
    assert "处理完成" in desk.get(f"/y/{YEAR}/run/progress").text
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM results WHERE year = 2026").fetchone() == (1,)

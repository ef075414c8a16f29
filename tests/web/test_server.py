"""``fuling-batch serve`` as a process: the printed URL, the token, a port in use, Ctrl+C."""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
import sys

import httpx2 as httpx
import pytest

from fuling_batch.history import History

from .conftest import YEAR
from .served import Served

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT (POSIX)")


def test_serve_prints_one_url_guards_it_and_stops_on_ctrl_c(tmp_path):
    with Served(tmp_path / "data") as served:
        assert served.first.count("http://") == 1
        assert "请在浏览器中打开" in served.first and "Ctrl+C" in served.first
        with httpx.Client(base_url=served.base, timeout=30) as client:
            refused = client.get("/")
            assert refused.status_code == 403 and "访问被拒绝" in refused.text
            page = client.get(served.url, follow_redirects=True)
            assert page.status_code == 200 and "上传" in page.text
            assert str(page.url) == f"{served.base}/y/{page.url.path.split('/')[2]}/files"
        code, lines, err = served.interrupt()
    assert code == 0
    assert lines == [served.first, "工作台已停止。"]
    assert "Traceback" not in err
    assert (tmp_path / "data" / "input").is_dir()


def test_a_port_in_use_is_a_chinese_message_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "fuling_batch", "serve", "--port", str(port), "--no-browser",
             "--data", str(tmp_path / "data")],
            capture_output=True, text=True, encoding="utf-8", timeout=60,
        )  # fmt: skip
    assert done.returncode == 2
    assert f"端口 {port} 已被占用" in done.stderr
    assert "Traceback" not in done.stderr


def test_ctrl_c_during_a_run_stops_at_once_and_says_so(tmp_path, samples):
    data = tmp_path / "data"
    history = data / "output" / "history.sqlite3"
    History(history).close()
    holder = sqlite3.connect(history, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # the run cannot finish while this is held
    try:
        with Served(data) as served, httpx.Client(base_url=served.base, timeout=30) as client:
            page = client.get(served.url, follow_redirects=True)
            csrf = re.search(r'X-CSRF-Token": "([0-9a-f]+)"', page.text)
            assert csrf
            headers = {"X-CSRF-Token": csrf.group(1), "Origin": served.base}
            files = [("files", (samples[0].name, samples[0].read_bytes()))]
            assert client.post(f"/y/{YEAR}/files/upload", files=files, headers=headers).is_success
            assert client.post(f"/y/{YEAR}/run/start", headers=headers).status_code == 202
            code, lines, err = served.interrupt()
    finally:
        holder.rollback()
        holder.close()
    assert code == 0
    assert lines[-1] == f"工作台已停止；{YEAR} 年度的处理被中断，请重新启动后再次处理。"
    assert "Traceback" not in err

"""``fuling-batch serve`` as a process: the printed URL, the token, a port in use, Ctrl+C."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx2 as httpx
import pytest

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

"""The offline installer: its target markers, and a real bundle installed with no registry.

The real build covers the current Linux platform and Python only (a minute or so). The
all-platform build (Windows x64, Linux x86_64 and aarch64, Python 3.11 to 3.13) is a manual
step before a release: ``python tools/make_bundle.py --platform all``.
"""

from __future__ import annotations

import http.cookiejar
import importlib.util
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("make_bundle", ROOT / "tools" / "make_bundle.py")
assert _spec and _spec.loader
make_bundle = importlib.util.module_from_spec(_spec)
sys.modules["make_bundle"] = make_bundle
_spec.loader.exec_module(make_bundle)

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
# Anything that still tried the network during the install would hit a closed port.
NO_NETWORK = {
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
}


def _fake_wheel(folder: Path, name: str, requires: list[str], version: str = "1.0") -> None:
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as zf:
        zf.writestr(f"{name}-{version}.dist-info/METADATA", metadata)


def test_requirements_are_judged_by_the_targets_markers(tmp_path):
    _fake_wheel(
        tmp_path,
        "tool",
        [
            'colorama; platform_system == "Windows"',
            'uvloop; sys_platform != "win32"',
            'tomli; python_version < "3.11"',
            'pytest; extra == "test"',
            "rich>=13",
        ],
    )
    _fake_wheel(tmp_path, "rich", [], version="13.1")
    _fake_wheel(tmp_path, "old", ["rich>=14"])  # a version no wheel here has
    windows = make_bundle.Target("windows", "x86_64", "3.12")
    linux = make_bundle.Target("linux", "aarch64", "3.13")
    assert make_bundle.missing(windows, tmp_path) == ["colorama", "rich>=14"]
    assert make_bundle.missing(linux, tmp_path) == ["rich>=14", "uvloop"]


def test_the_targets_of_a_full_build():
    labels = [
        t.label for t in make_bundle.targets("all", ["3.11", "3.12", "3.13"], ["x86_64", "aarch64"])
    ]
    assert len(labels) == 9
    assert "windows-x86_64-py3.13" in labels and "linux-aarch64-py3.11" in labels
    assert make_bundle.Target("linux", "x86_64", "3.11").platforms[0] == "manylinux_2_28_x86_64"


def test_the_windows_scripts_are_gbk_with_crlf(tmp_path):
    make_bundle.write_scripts(tmp_path, "0.1.0", ["windows-x86_64-py3.12"], {"windows"})
    bat = (tmp_path / "安装.bat").read_bytes()
    assert b"\r\n" in bat and b"\n\n" not in bat.replace(b"\r\n", b"")
    text = bat.decode("gbk")
    assert "--no-index --find-links wheels fuling-batch" in text
    assert "PIP_CONFIG_FILE=NUL" in text
    assert "serve --data" in (tmp_path / "启动.bat").read_bytes().decode("gbk")
    assert not (tmp_path / "install.sh").exists()


def _registry_reachable(tmp_path: Path) -> bool:
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--no-cache-dir", "--dest", str(tmp_path / "probe"), "h11"],
        capture_output=True, timeout=300,
    )  # fmt: skip
    return probe.returncode == 0


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="builds and installs the Linux bundle"
)
@pytest.mark.skipif(
    make_bundle.current_arch() not in make_bundle.ARCHES, reason="no Linux wheels for this machine"
)
def test_the_linux_bundle_installs_with_no_registry_and_serves(tmp_path):
    if not _registry_reachable(tmp_path):
        pytest.skip("pip download cannot reach the package registry, so no bundle can be built")
    built = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_bundle.py"), "--platform", "linux",
         "--python", PYTHON, "--arch", make_bundle.current_arch(), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if built.returncode == make_bundle.EXIT_DOWNLOAD:
        pytest.skip(f"pip download cannot reach the package registry: {built.stderr[-500:]}")
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    archive = next((tmp_path / "out").glob("fuling-batch-*-offline-linux.zip"))

    # A fresh folder, as the intranet computer gets it.
    site = tmp_path / "内网电脑"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(site)
    bundle = next(site.iterdir())
    names = {p.name for p in bundle.iterdir()}
    assert {"install.sh", "start.sh", "说明.txt", "SHA256SUMS", "wheels"} <= names
    assert any(p.name.startswith("fuling_batch-") for p in (bundle / "wheels").iterdir())

    env = {**os.environ, **NO_NETWORK, "PYTHON": sys.executable}
    installed = subprocess.run(
        ["sh", "install.sh"], cwd=bundle, env=env, capture_output=True, text=True, timeout=600
    )
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    assert "安装完成" in installed.stdout
    helped = subprocess.run(
        [str(bundle / ".venv" / "bin" / "fuling-batch"), "--help"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert helped.returncode == 0 and "serve" in helped.stdout

    # start.sh serves the page from the installed wheel (its templates and assets included).
    server = subprocess.Popen(
        ["sh", "start.sh", "--no-browser", "--port", "0"], cwd=bundle, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    assert server.stdout is not None
    threading.Thread(target=lambda: [lines.put(x) for x in server.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        first = lines.get(timeout=120)
        url = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", first)
        assert url, first
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            urllib.request.ProxyHandler({}),  # loopback, never through the proxies above
        )
        with opener.open(url.group(0), timeout=60) as page:
            assert page.status == 200 and "上传" in page.read().decode("utf-8")
        base = url.group(0).split("/?")[0]
        with opener.open(f"{base}/static/htmx.min.js", timeout=60) as asset:
            assert asset.status == 200 and b"htmx" in asset.read()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(60)
    assert server.returncode == 0
    assert (bundle / "fuling-data" / "input").is_dir()

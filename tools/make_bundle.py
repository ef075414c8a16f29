"""Build the offline installer: one folder (and a .zip of it) that installs without a network.

    python tools/make_bundle.py [--platform linux|windows|all] [--python 3.11,3.12,3.13]
                                [--arch x86_64,aarch64] [--out DIR]

The folder holds the project's wheel (``pip wheel --no-deps .``), every dependency's wheel for
each target (Windows x64; Linux x86_64 and aarch64, glibc 2.28 and later, as on UOS and Kylin;
CPython 3.11 to 3.13, by ``pip download --only-binary=:all:``), and the scripts an operator runs:
``安装.bat``/``install.sh`` make a virtual environment beside them and install with
``--no-index --find-links wheels`` (no registry is asked), ``启动.bat``/``start.sh`` start
``fuling-batch serve`` and the browser opens.

``pip download --platform`` evaluates environment markers for the machine it runs on, not for
the target (click needs colorama on Windows only, and a Linux build would leave it out), so
after each download the requirements of every wheel are checked against the target's own
markers and anything missing is downloaded too, until the set is complete for that target.

Building for every platform takes a few minutes and ~0.5 GB; the test suite builds only
the current Linux platform and Python (tests/tools/test_make_bundle.py).
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

try:
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.tags import Tag, compatible_tags, cpython_tags
    from packaging.utils import canonicalize_name, parse_wheel_filename
except ImportError:  # pip always carries a copy
    from pip._vendor.packaging.markers import Marker  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.tags import (  # type: ignore[no-redef]
        Tag,
        compatible_tags,
        cpython_tags,
    )
    from pip._vendor.packaging.utils import (  # type: ignore[no-redef]
        canonicalize_name,
        parse_wheel_filename,
    )

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.11", "3.12", "3.13")
ARCHES = ("x86_64", "aarch64")
# glibc 2.28 is the oldest a supported target has (UOS 20, Kylin V10); pip is given every
# manylinux tag up to it, so wheels built for older glibc versions are taken as well.
GLIBC_MINOR = 28
CLOSURE_ROUNDS = 10
EXIT_DOWNLOAD = 3


@dataclass(frozen=True)
class Target:
    """One platform the bundle installs on, for one Python version."""

    system: str  # "windows" | "linux"
    arch: str
    python: str

    @property
    def platforms(self) -> list[str]:
        if self.system == "windows":
            return ["win_amd64"]
        tags = [f"manylinux_2_{minor}_{self.arch}" for minor in range(GLIBC_MINOR, 16, -1)]
        return [*tags, f"manylinux2014_{self.arch}"]

    @property
    def label(self) -> str:
        return f"{self.system}-{self.arch}-py{self.python}"

    def markers(self) -> dict[str, str]:
        """The environment markers of this target (PEP 508)."""
        windows = self.system == "windows"
        return {
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "python_version": self.python,
            "python_full_version": f"{self.python}.0",
            "os_name": "nt" if windows else "posix",
            "sys_platform": "win32" if windows else "linux",
            "platform_system": "Windows" if windows else "Linux",
            "platform_machine": "AMD64" if windows else self.arch,
            "platform_release": "",
            "platform_version": "",
            "implementation_version": f"{self.python}.0",
        }

    def tags(self) -> set[Tag]:
        version = tuple(int(p) for p in self.python.split("."))
        abi = f"cp{version[0]}{version[1]}"
        return {
            *cpython_tags(version, [abi], self.platforms),
            *compatible_tags(version, abi, self.platforms),
        }


def targets(system: str, pythons: list[str], arches: list[str]) -> list[Target]:
    systems = ["linux", "windows"] if system == "all" else [system]
    out = []
    for name in systems:
        for arch in arches if name == "linux" else ["x86_64"]:
            out.extend(Target(name, arch, python) for python in pythons)
    return out


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", *args]
    print("+", " ".join(command), flush=True)
    done = subprocess.run(command, check=False)
    if done.returncode:
        raise SystemExit(EXIT_DOWNLOAD)


def download(target: Target, wheels: Path, requirements: list[str]) -> None:
    options = ["--only-binary=:all:", "--implementation", "cp", "--python-version", target.python]
    options += ["--abi", f"cp{target.python.replace('.', '')}"]
    for tag in target.platforms:
        options += ["--platform", tag]
    _pip("download", "--quiet", "--dest", str(wheels), *options, *requirements)


def _metadata(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(name).decode("utf-8")
    return [
        line[len("Requires-Dist:") :].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    ]


def missing(target: Target, wheels: Path) -> list[str]:
    """Requirements of the target's wheels that no wheel here satisfies (target's markers)."""
    tags = target.tags()
    have: dict[str, list[str]] = {}
    chosen = []
    for wheel in sorted(wheels.glob("*.whl")):
        name, version, _, wheel_tags = parse_wheel_filename(wheel.name)
        if wheel_tags & tags:
            have.setdefault(canonicalize_name(name), []).append(str(version))
            chosen.append(wheel)
    env = target.markers()
    needed: set[str] = set()
    for wheel in chosen:
        for line in _metadata(wheel):
            requirement = Requirement(line)
            if requirement.marker is not None and not Marker(str(requirement.marker)).evaluate(
                {**env, "extra": ""}
            ):
                continue
            versions = have.get(canonicalize_name(requirement.name), [])
            if not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
                needed.add(str(Requirement(f"{requirement.name}{requirement.specifier}")))
    return sorted(needed)


def complete(target: Target, wheels: Path, project: Path) -> None:
    download(target, wheels, [str(project)])
    for _ in range(CLOSURE_ROUNDS):
        needed = missing(target, wheels)
        if not needed:
            return
        print(f"{target.label}: markers of the target also need {', '.join(needed)}", flush=True)
        download(target, wheels, needed)
    raise SystemExit(f"{target.label}: the requirements do not close: {missing(target, wheels)}")


# -- the scripts an operator runs ----------------------------------------------------------

INSTALL_SH = """#!/bin/sh
# 离线安装考核工作台（Linux、统信 UOS、银河麒麟）：在本文件夹中创建 .venv，只从 wheels/ 安装，不连接网络。
set -eu
cd "$(dirname "$0")"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \\
        'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; then
      PY="$candidate"
      break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "未找到 Python 3.11～3.13。请先安装其中一个版本（可向信息中心索取安装包），再运行本脚本。" >&2
  exit 1
fi
if ! "$PY" -m venv .venv; then
  echo "无法创建虚拟环境：请先安装 python3-venv（例如 sudo apt install python3-venv），再运行本脚本。" >&2
  exit 1
fi
# Only the wheels beside this script: no index, and no configuration (file or PIP_* variable)
# that could name another place to look.
for name in $(env | awk -F= '/^PIP_/ {print $1}'); do unset "$name"; done
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
.venv/bin/python -m pip install --no-index --find-links wheels fuling-batch
echo "安装完成。运行 ./start.sh 启动考核工作台（浏览器会自动打开）。"
"""

START_SH = """#!/bin/sh
# 启动考核工作台：数据保存在本文件夹的 fuling-data/ 中。
cd "$(dirname "$0")"
if [ ! -x .venv/bin/fuling-batch ]; then
  echo "请先运行 ./install.sh 完成安装。" >&2
  exit 1
fi
exec .venv/bin/fuling-batch serve --data "$(pwd)/fuling-data" "$@"
"""

# cmd.exe reads a .bat in the console's code page: GBK (936) on a Chinese Windows.
INSTALL_BAT = r"""@echo off
setlocal
cd /d "%~dp0"
set "PY="
for %%V in (3.13 3.12 3.11) do (
  if not defined PY (
    py -%%V -c "import sys" >nul 2>nul
    if not errorlevel 1 set "PY=py -%%V"
  )
)
if not defined PY (
  python -c "import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))" >nul 2>nul
  if not errorlevel 1 set "PY=python"
)
if not defined PY (
  echo 未找到 Python 3.11～3.13。请先安装其中一个版本（安装时勾选“Add python.exe to PATH”），再双击本文件。
  pause
  exit /b 1
)
echo 正在安装，请稍候……
%PY% -m venv .venv
if errorlevel 1 goto failed
for %%N in (PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_CONSTRAINT PIP_REQUIREMENT PIP_TARGET PIP_PREFIX) do set "%%N="
set "PIP_CONFIG_FILE=NUL"
set "PIP_DISABLE_PIP_VERSION_CHECK=1"
set "PIP_NO_INPUT=1"
".venv\Scripts\python.exe" -m pip install --no-index --find-links wheels fuling-batch
if errorlevel 1 goto failed
echo.
echo 安装完成。以后每次使用，双击“启动.bat”即可打开考核工作台。
pause
exit /b 0
:failed
echo.
echo 安装失败。请把本窗口的内容截图发给维护人员。
pause
exit /b 1
"""

START_BAT = r"""@echo off
cd /d "%~dp0"
if not exist ".venv\Scripts\fuling-batch.exe" (
  echo 请先双击“安装.bat”完成安装。
  pause
  exit /b 1
)
echo 正在启动考核工作台，浏览器会自动打开。使用期间请不要关闭本窗口。
".venv\Scripts\fuling-batch.exe" serve --data "%~dp0fuling-data" %*
pause
"""

README = """考核工作台 离线安装包（fuling-batch {version}）
================================================

本安装包不需要连接互联网，适用于内网电脑。需要已安装 Python 3.11～3.13。

Windows：
  1. 把整个文件夹复制到电脑上（例如 D:\\考核工作台），不要放在压缩包里直接运行；
  2. 双击“安装.bat”（只需一次，约 1 分钟）；
  3. 以后每次使用，双击“启动.bat”，浏览器会自动打开工作台；使用期间不要关闭黑色窗口。

统信 UOS / 银河麒麟 / 其他 Linux：
  1. 在本文件夹中打开终端；
  2. 运行 sh install.sh（只需一次）；
  3. 以后每次使用，运行 sh start.sh。

上传的评分表、处理结果和历年数据库都保存在本文件夹的 fuling-data 中；备份时复制该文件夹即可。
本安装包包含的平台：{targets}。
"""


def write_scripts(bundle: Path, version: str, labels: list[str], systems: set[str]) -> None:
    text = README.format(version=version, targets="、".join(labels))
    (bundle / "说明.txt").write_text(text.replace("\n", "\r\n"), encoding="utf-8-sig")
    if "linux" in systems:
        for name, body in (("install.sh", INSTALL_SH), ("start.sh", START_SH)):
            path = bundle / name
            path.write_text(body, encoding="utf-8", newline="\n")
            path.chmod(0o755)
    if "windows" in systems:
        for name, body in (("安装.bat", INSTALL_BAT), ("启动.bat", START_BAT)):
            (bundle / name).write_bytes(body.replace("\n", "\r\n").encode("gbk"))


def _version() -> str:
    text = (ROOT / "fuling_batch" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'__version__ = "([^"]+)"', text)
    assert found
    return found.group(1)


def build(out: Path, system: str, pythons: list[str], arches: list[str]) -> Path:
    """Build the bundle folder under ``out`` and its .zip; returns the .zip."""
    version = _version()
    bundle = out / f"fuling-batch-{version}-offline-{system}"
    shutil.rmtree(bundle, ignore_errors=True)
    wheels = bundle / "wheels"
    wheels.mkdir(parents=True)
    _pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(ROOT))
    project = next(wheels.glob("fuling_batch-*.whl"))
    chosen = targets(system, pythons, arches)
    for target in chosen:
        print(f"== {target.label}", flush=True)
        complete(target, wheels, project)
    write_scripts(bundle, version, [t.label for t in chosen], {t.system for t in chosen})
    sums = [
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  wheels/{p.name}"
        for p in sorted(wheels.iterdir())
    ]
    (bundle / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    archive = bundle.parent / f"{bundle.name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                # Wheels are compressed already; the scripts are tiny.
                method = zipfile.ZIP_STORED if path.suffix == ".whl" else zipfile.ZIP_DEFLATED
                info = zipfile.ZipInfo.from_file(
                    path, f"{bundle.name}/{path.relative_to(bundle).as_posix()}"
                )
                info.compress_type = method
                with open(path, "rb") as source, zf.open(info, "w") as target_file:
                    shutil.copyfileobj(source, target_file)
    size = sum(p.stat().st_size for p in wheels.iterdir())
    print(f"bundle: {bundle} ({len(list(wheels.iterdir()))} wheels, {size / 2**20:.0f} MiB)")
    print(f"zip: {archive} ({archive.stat().st_size / 2**20:.0f} MiB)")
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--platform", choices=["linux", "windows", "all"], default="all")
    parser.add_argument("--python", default=",".join(PYTHONS), help="e.g. 3.11,3.12,3.13")
    parser.add_argument("--arch", default=",".join(ARCHES), help="Linux only: x86_64,aarch64")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    pythons = [p.strip() for p in args.python.split(",") if p.strip()]
    arches = [a.strip() for a in args.arch.split(",") if a.strip()]
    for python in pythons:
        if not re.fullmatch(r"3\.1[1-9]", python):
            parser.error(f"unsupported Python version {python} (3.11 or later)")
    for arch in arches:
        if arch not in ARCHES:
            parser.error(f"unsupported architecture {arch} ({', '.join(ARCHES)})")
    build(args.out, args.platform, pythons, arches)
    return 0


def current_arch() -> str:
    """This machine's architecture as the Linux wheels name it."""
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


if __name__ == "__main__":
    sys.exit(main())

"""``fuling-batch serve``: bind, print the URL with its token, open the browser, serve until Ctrl+C.

The socket is bound here, before uvicorn starts, so that the printed URL names the port
actually bound (``--port 0`` picks a free one) and answers as soon as it is printed, and so
that a port in use is a Chinese message rather than a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import socket
import sys
import threading
import webbrowser
from pathlib import Path
from types import FrameType

from ..errors import UsageError
from .security import new_token
from .settings import Limits, Settings

__all__ = ["serve"]


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"无法识别监听地址 {host}：{exc}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    if sys.platform != "win32":
        # A restart right after a stop must not wait for TIME_WAIT. (On Windows the same
        # option would let another program take the port over.)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            raise UsageError(
                f"端口 {port} 已被占用：工作台可能已经在运行（请使用已打开的页面），"
                "或用 --port 指定其他端口，例如 --port 8766"
            ) from exc
        raise UsageError(f"无法在 {host}:{port} 上启动工作台：{exc}") from exc
    sock.listen(128)
    sock.set_inheritable(False)
    return sock


def serve(
    data_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = True,
    config_path: Path | None = None,
    limits: Limits | None = None,
) -> None:
    """Serve the operator's page until Ctrl+C; prints one line with the URL, and one at the end."""
    import uvicorn

    from .app import create_app

    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    settings = Settings(
        data_dir=Path(data_dir),
        token=new_token(),
        port=bound_port,
        host=host,
        limits=limits or Limits(),
        config_path=config_path,
    )
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
        )
    )
    if host not in ("127.0.0.1", "::1", "localhost"):
        print(
            f"注意：工作台监听 {host}，同一网络中的其他电脑也能连接（仍需访问令牌）。"
            f"只在本机使用时请去掉 --host 参数。",
            flush=True,
        )
    print(
        f"考核工作台已启动，请在浏览器中打开 {settings.login_url} （关闭本窗口或按 Ctrl+C 停止）",
        flush=True,
    )
    if open_browser:
        # Some desktops' browser launchers block until the browser exits.
        threading.Thread(target=webbrowser.open, args=(settings.login_url,), daemon=True).start()

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGTERM (a closed terminal, a service manager) ends the server as Ctrl+C does; uvicorn
    # captures both while it runs and raises them again once it has shut down.
    previous = signal.signal(signal.SIGTERM, stop) if hasattr(signal, "SIGTERM") else None
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        with contextlib.suppress(KeyboardInterrupt):
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            sock.close()
            running = [job.year for job in app.state.jobs.active()]
            if running:
                years = "、".join(str(y) for y in running)
                print(f"工作台已停止；{years} 年度的处理被中断，请重新启动后再次处理。", flush=True)
            else:
                print("工作台已停止。", flush=True)

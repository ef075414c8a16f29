"""What one server instance is: its data folder, its address, its access token and its limits."""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass, field
from pathlib import Path

from ..intake.safety import MAX_COMPRESSION_RATIO, MAX_FILE_BYTES

__all__ = ["LOOPBACK_NAMES", "Limits", "Settings", "human_size"]

MIB = 1024 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def human_size(n: float) -> str:
    """``20 MB``, ``256 MB``, ``98 KB``: how sizes read on the page and in messages."""
    if n >= MIB:
        return f"{n / MIB:.3g} MB"
    return f"{max(1, round(n / 1024))} KB"


@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may bring in. A filled score sheet is ~30 KB."""

    # The intake refuses bigger sheets anyway (FILE_TOO_LARGE): no point storing them.
    file_bytes: int = MAX_FILE_BYTES
    # A whole district's sheets zipped are a few MB; this leaves room for a province.
    request_bytes: int = 256 * MIB
    files_per_request: int = 5000
    # A .zip upload: members listed, their declared total, and the ratio that marks a bomb.
    zip_members: int = 10_000
    zip_total_bytes: int = 1024 * MIB
    zip_ratio: int = MAX_COMPRESSION_RATIO
    # Copying from a folder named by the operator.
    folder_files: int = 20_000
    # A 整改 report's attachments: scans and photos run larger than a sheet.
    attachment_bytes: int = 50 * MIB
    attachments_per_request: int = 20


@dataclass(frozen=True)
class Settings:
    """One ``serve``: where its files live and who may talk to it.

    ``port`` is the port actually bound (``serve --port 0`` picks one), since the Host and
    Origin checks compare against it.
    """

    data_dir: Path
    token: str
    port: int
    host: str = "127.0.0.1"
    limits: Limits = field(default_factory=Limits)
    config_path: Path | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{self.port}/"

    @property
    def login_url(self) -> str:
        return f"{self.url}?token={self.token}"

    def allowed_hosts(self) -> frozenset[str]:
        """``Host`` header values this server answers to (a DNS-rebinding page sends others)."""
        names = set(LOOPBACK_NAMES)
        if self.host not in ("0.0.0.0", "::"):
            names.add(f"[{self.host}]" if ":" in self.host else self.host)
        else:
            # Listening on every interface: the machine's own names and addresses too.
            hostname = socket.gethostname()
            names.add(hostname)
            with contextlib.suppress(OSError):
                names.update(socket.gethostbyname_ex(hostname)[2])
        return frozenset(f"{name.lower()}:{self.port}" for name in names)

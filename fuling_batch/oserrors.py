"""What an operating-system error means to the operator, in Chinese.

The system's own text (``strerror``) is English on Linux and from the C runtime on Windows,
so the common errors are named here and the system's text is only a last resort.
"""

from __future__ import annotations

import errno
import os

from .errors import OutputError

__all__ = ["output_error", "read_reason", "write_reason"]

_REASONS = {
    errno.ENOSPC: ("磁盘空间不足", "请清理磁盘空间（或用 --out 指定其他磁盘上的文件夹）后重新运行"),
    errno.EDQUOT: ("超出磁盘配额", "请清理磁盘空间（或用 --out 指定其他文件夹）后重新运行"),
    errno.EACCES: (
        "没有写入权限",
        "请检查该文件夹的权限（是否只读或被设为不可更改），或用 --out 指定其他文件夹",
    ),
    errno.EPERM: (
        "不允许修改（文件夹可能被设为只读或不可更改）",
        "请检查该文件夹的属性和权限，或用 --out 指定其他文件夹",
    ),
    errno.EROFS: ("所在磁盘为只读", "请用 --out 指定可写的文件夹"),
    errno.EBUSY: ("文件正被其他程序使用", "请关闭 Excel/WPS/Word 中打开的文件后重新运行"),
    errno.ETXTBSY: ("文件正被其他程序使用", "请关闭 Excel/WPS/Word 中打开的文件后重新运行"),
    errno.ENAMETOOLONG: ("文件名过长", "请缩短输出文件夹的路径后重新运行"),
    errno.ENOTDIR: (
        "路径中有同名的文件，不是文件夹",
        "请改名或移走该文件，或用 --out 指定其他文件夹",
    ),
    errno.EEXIST: ("已有同名的文件", "请改名或移走该文件后重新运行"),
    errno.EISDIR: ("该位置是一个文件夹", "请改名或移走该文件夹后重新运行"),
}
# Windows: ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION (a file open in Office).
_WINDOWS_IN_USE = {32, 33}
_IN_USE = "文件正被其他程序使用"
_READ_REASONS = {
    errno.ENOENT: "文件不存在（可能已被移走、改名或删除）",
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.EBUSY: _IN_USE,
    errno.ETXTBSY: _IN_USE,
    errno.EIO: "磁盘读取出错（U盘或网络盘可能已断开）",
    errno.ENAMETOOLONG: "路径过长",
    errno.ELOOP: "快捷方式或链接指向自身",
    errno.ENOTDIR: "路径中有同名的文件，不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOMEM: "内存不足",
}


def read_reason(exc: OSError) -> str:
    """Why a file or folder could not be read, in Chinese."""
    if getattr(exc, "winerror", None) in _WINDOWS_IN_USE:
        return _IN_USE
    return _READ_REASONS.get(exc.errno or 0) or _system(exc)


def output_error(exc: OSError, what: str = "") -> OutputError:
    """An :class:`OutputError` (exit 3) that names the path and says what to do."""
    # os.replace(tmp, target) names both: the target is the file the operator knows.
    path = getattr(exc, "filename2", None) or what or exc.filename or "输出文件"
    reason, advice = _writing(exc)
    return OutputError(f"无法写入 {os.fspath(path)}：{reason}。{advice}（历年数据库未改动）")


def write_reason(exc: OSError) -> str:
    """Why a file or folder could not be written, in Chinese."""
    return _writing(exc)[0]


def _writing(exc: OSError) -> tuple[str, str]:
    if getattr(exc, "winerror", None) in _WINDOWS_IN_USE:
        return _REASONS[errno.EBUSY]
    return _REASONS.get(exc.errno or 0, (_system(exc), "请检查该路径后重新运行"))


def _system(exc: OSError) -> str:
    return f"系统错误{exc.errno or ''}：{exc.strerror or exc}"

"""What an operating-system error on an output means to the operator, in Chinese."""

from __future__ import annotations

import errno
import os

from ..errors import OutputError

__all__ = ["output_error"]

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


def output_error(exc: OSError, what: str = "") -> OutputError:
    """An :class:`OutputError` (exit 3) that names the path and says what to do."""
    # os.replace(tmp, target) names both: the target is the file the operator knows.
    path = getattr(exc, "filename2", None) or what or exc.filename or "输出文件"
    if getattr(exc, "winerror", None) in _WINDOWS_IN_USE:
        reason, advice = _REASONS[errno.EBUSY]
    else:
        reason, advice = _REASONS.get(
            exc.errno or 0, (exc.strerror or str(exc), "请检查该路径后重新运行")
        )
    return OutputError(f"无法写入 {os.fspath(path)}：{reason}。{advice}（历年数据库未改动）")

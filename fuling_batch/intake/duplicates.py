"""The one check across sheets: two sheets for one enterprise (docs/规则说明.md, 重复评分表).

Sheets are the same enterprise when they carry the same 统一社会信用代码, or when one of them
has no code and their names are equal as :func:`~fuling_batch.rules.identity.name_key`
compares them (white space, full/half width and invisible characters do not count): a sheet
known only by its name cannot be told from a coded sheet of that name. Both (all) are
rejected, each naming the others. Two sheets of one name but different codes, or of names
that differ only in 有限公司/有限责任公司, are graded as different enterprises, with a warning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..rules.identity import identity_key, loose_name_key, name_key
from ..rules.issues import Issue
from ..rules.models import Header

__all__ = ["DuplicateKey", "duplicate_issues", "enterprise_key"]


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    path: str
    key: str
    enterprise: str
    sheet: str = ""
    cell: str = ""  # the credit-code (or name) cell the key was read from
    credit_code: str = ""


def enterprise_key(header: Header) -> str:
    """Same identity as :attr:`ScoreSheet.key` (:func:`~fuling_batch.rules.identity.identity_key`)."""
    return identity_key(header.credit_code, header.enterprise)


class _Groups:
    """Union-find over the entries: which are one enterprise."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, items: Sequence[int]) -> None:
        for other in items[1:]:
            self.parent[self.find(other)] = self.find(items[0])


def duplicate_issues(keys: Sequence[DuplicateKey]) -> dict[str, list[Issue]]:
    """For each file sharing its enterprise with another: an error naming the other file(s);
    for a file sharing only its name (another code), or nearly its name: a warning."""
    entries = [entry for entry in keys if entry.key]
    groups = _Groups(len(entries))
    by_code: dict[str, list[int]] = defaultdict(list)
    by_name: dict[str, list[int]] = defaultdict(list)
    by_loose: dict[str, list[int]] = defaultdict(list)
    for i, entry in enumerate(entries):
        if entry.credit_code:
            by_code[entry.credit_code].append(i)
        if name_key(entry.enterprise):
            by_name[name_key(entry.enterprise)].append(i)
            by_loose[loose_name_key(entry.enterprise)].append(i)
    for same in by_code.values():
        groups.join(same)
    for same in by_name.values():
        if any(not entries[i].credit_code for i in same):
            groups.join(same)  # a sheet known only by this name: it may be any of them
    out: dict[str, list[Issue]] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(entries)):
        members[groups.find(i)].append(i)
    for group in members.values():
        if len(group) > 1:
            for i in group:
                _add(out, entries[i], _duplicate(entries[i], [entries[j] for j in group if j != i]))
    for same in by_name.values():
        for i in same:
            others = [entries[j] for j in same if groups.find(j) != groups.find(i)]
            if others:
                _add(out, entries[i], _same_name(entries[i], others))
    for same in by_loose.values():
        for i in same:
            key = name_key(entries[i].enterprise)
            others = [
                entries[j]
                for j in same
                if name_key(entries[j].enterprise) != key and groups.find(j) != groups.find(i)
            ]
            if others:
                _add(out, entries[i], _similar_name(entries[i], others))
    return out


def _add(out: dict[str, list[Issue]], entry: DuplicateKey, issue: Issue) -> None:
    out.setdefault(entry.path, []).append(issue)


def _paths(others: Sequence[DuplicateKey]) -> str:
    return "、".join(dict.fromkeys(o.path for o in others))


def _duplicate(entry: DuplicateKey, others: Sequence[DuplicateKey]) -> Issue:
    if entry.credit_code and all(o.credit_code == entry.credit_code for o in others):
        what = f"统一社会信用代码{entry.credit_code}"
    else:
        what = f"企业名称“{entry.enterprise}”，且有评分表未填写统一社会信用代码，无法区分"
    return Issue.error(
        "DUPLICATE_ENTERPRISE",
        f"与 {_paths(others)} 是同一企业（{what}）的评分表，两份均不予采用；请确认保留哪一份，删除或更正另一份后重新运行",
        sheet=entry.sheet,
        cell=entry.cell,
    )


def _same_name(entry: DuplicateKey, others: Sequence[DuplicateKey]) -> Issue:
    codes = "、".join(dict.fromkeys(o.credit_code for o in others))
    return Issue.warning(
        "SAME_NAME_OTHER_CODE",
        f"与 {_paths(others)} 的企业名称相同（“{entry.enterprise}”），但统一社会信用代码不同"
        f"（本表{entry.credit_code}，另表{codes}），已按不同企业分别评级；请核对是否填错了信用代码",
        sheet=entry.sheet,
        cell=entry.cell,
    )


def _similar_name(entry: DuplicateKey, others: Sequence[DuplicateKey]) -> Issue:
    names = "、".join(dict.fromkeys(f"“{o.enterprise}”" for o in others))
    return Issue.warning(
        "SIMILAR_NAME",
        f"与 {_paths(others)} 的企业名称（{names}）只有“有限公司/有限责任公司”之别，已按不同企业分别评级；"
        "如为同一企业，请统一企业名称并填写统一社会信用代码",
        sheet=entry.sheet,
        cell=entry.cell,
    )

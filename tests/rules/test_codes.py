"""The issue-code registry (rules/codes.py) holds exactly the codes the source emits.

The package source is read with ``ast``: every call of an Issue constructor (``Issue.error``,
``Issue.warning``, ``Issue(severity, code, …)``, ``Refusal(code, …)``) and of any function
that passes one of its own parameters on as the code (``_error``, ``_refused`` …, found by
the scan itself) gives a code literal and its severity. Multi-line calls and keyword arguments
count like any other. A code that is not a literal must be one of the two known pass-throughs,
so that a new way of making codes cannot slip past the scan.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fuling_batch.intake import FILE_LEVEL_CODES
from fuling_batch.rules import codes
from fuling_batch.rules.codes import CODES, category, markdown_table
from fuling_batch.rules.issues import Severity

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "fuling_batch"
RULES_DOC = ROOT / "docs" / "规则说明.md"
UPPER_SNAKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")

# Callee → (severity, position of the code among the positional arguments). ``None``: the
# severity is the call's first argument (``Issue(Severity.ERROR, "CODE", …)``).
# A Refusal always becomes an error: intake/check.py turns it into ``_refused(…)``.
CONSTRUCTORS: dict[str, tuple[Severity | None, int]] = {
    "Issue.error": (Severity.ERROR, 0),
    "Issue.warning": (Severity.WARNING, 0),
    "Issue": (None, 1),
    "Refusal": (Severity.ERROR, 0),
}
# Codes that are passed on, not made, where they are not literals.
PASS_THROUGHS = {
    "intake/check.py: refusal.code",  # a Refusal's code, read where the Refusal is made
    "intake/check.py: *issue",  # an Issue rebuilt after crossing a process boundary
}


@dataclass
class Scan:
    found: dict[str, set[Severity | None]] = field(default_factory=dict)  # code → severities used
    unresolved: set[str] = field(default_factory=set)  # "module: expression"


def _callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id in {"self", "cls"}:
            return func.attr  # a method wrapper, called on its own instance or class
        return f"{func.value.id}.{func.attr}"
    return None


def _code_argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    for arg in call.args[: position + 1]:
        if isinstance(arg, ast.Starred):
            return arg  # the code is somewhere inside: unresolved
    return call.args[position] if len(call.args) > position else None


def _severity_argument(call: ast.Call) -> Severity | None:
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Attribute) and first.attr in Severity.__members__:
        return Severity[first.attr]
    return None


def _parameters(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
    return names[1:] if names and names[0] in {"self", "cls"} else names


def scan_sources(sources: dict[str, str]) -> Scan:
    """Every code literal passed to an Issue constructor in ``sources`` (module → text)."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    # callee → (severity, code position, code keyword)
    known = {name: (sev, pos, "code") for name, (sev, pos) in CONSTRUCTORS.items()}
    wrapper_calls: set[int] = set()  # calls inside wrappers, whose code is the wrapper's
    changed = True
    while changed:  # a wrapper of a wrapper is found on a later pass
        changed = False
        for tree in trees.values():
            for func in ast.walk(tree):
                if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                params = _parameters(func)
                for call in ast.walk(func):
                    if not isinstance(call, ast.Call) or (callee := _callee(call)) not in known:
                        continue
                    severity, position, keyword = known[callee]
                    arg = _code_argument(call, position, keyword)
                    if isinstance(arg, ast.Name) and arg.id in params:
                        if severity is None:
                            severity = _severity_argument(call)
                        wrapper_calls.add(id(call))
                        if func.name not in known:
                            known[func.name] = (severity, params.index(arg.id), arg.id)
                            changed = True
    out = Scan()
    for module, tree in trees.items():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or (callee := _callee(call)) not in known:
                continue
            if id(call) in wrapper_calls:
                continue
            severity, position, keyword = known[callee]
            if severity is None:
                severity = _severity_argument(call)
            arg = _code_argument(call, position, keyword)
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.found.setdefault(arg.value, set()).add(severity)
            elif arg is not None:
                out.unresolved.add(f"{module}: {ast.unparse(arg)}")
    return out


@pytest.fixture(scope="module")
def package_scan() -> Scan:
    sources = {
        path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "codes.py" or path.parent.name != "rules"
    }
    return scan_sources(sources)


def test_the_registry_holds_exactly_the_codes_the_source_emits(package_scan: Scan) -> None:
    emitted = set(package_scan.found)
    assert emitted - set(CODES) == set(), "emitted but not declared in rules/codes.py"
    assert set(CODES) - emitted == set(), "declared in rules/codes.py but never emitted"


def test_each_code_has_the_severity_it_is_emitted_with(package_scan: Scan) -> None:
    wrong = {
        code: sorted(map(str, severities))
        for code, severities in package_scan.found.items()
        if code in CODES and severities != {CODES[code].severity}
    }
    assert wrong == {}


def test_every_code_the_scan_cannot_read_is_a_known_pass_through(package_scan: Scan) -> None:
    assert package_scan.unresolved == PASS_THROUGHS


def test_codes_are_upper_snake() -> None:
    assert {code for code in CODES if not UPPER_SNAKE.fullmatch(code)} == set()


def test_the_file_level_codes_are_the_file_categories() -> None:
    # FILE_LEVEL_CODES decides that no returned copy is made: the file was not read as a sheet.
    unread = {codes.FILE, codes.SKIPPED, codes.PROGRAM}
    file_level = {c for c, e in CODES.items() if e.category in unread}
    assert set(FILE_LEVEL_CODES) == file_level


def test_every_code_has_a_category_and_a_meaning() -> None:
    for code, entry in CODES.items():
        assert entry.code == code
        assert category(code) in codes.CATEGORIES
        assert entry.meaning.endswith("。") and "；" in entry.meaning, code  # what, then what to do
    with pytest.raises(KeyError, match=r"rules/codes\.py"):
        category("NO_SUCH_CODE")


def test_the_registry_refuses_a_code_declared_twice() -> None:
    entry = codes.IssueCode("X_Y", Severity.ERROR, codes.FILE, "甲；乙。")
    with pytest.raises(ValueError, match="declared twice"):
        codes._registry([entry, entry])
    with pytest.raises(ValueError, match="unknown category"):
        codes._registry([codes.IssueCode("X_Y", Severity.ERROR, "其他", "甲；乙。")])


def test_the_rules_document_holds_exactly_the_registry_table() -> None:
    text = RULES_DOC.read_text(encoding="utf-8")
    begin, end = "<!-- codes:begin -->\n", "<!-- codes:end -->"
    assert text.count(begin) == 1 and text.count(end) == 1
    table = text.split(begin, 1)[1].split(end, 1)[0]
    assert table == markdown_table(), (
        "docs/规则说明.md's code table differs from rules/codes.py; paste the output of "
        "python -c 'from fuling_batch.rules.codes import markdown_table; "
        'print(markdown_table(), end="")\' between the codes:begin/end markers'
    )


def test_the_table_has_one_row_per_code_in_category_order() -> None:
    rows = markdown_table().splitlines()[2:]
    assert [row.split("`")[1] for row in rows] == sorted(
        CODES, key=lambda c: codes.CATEGORIES.index(category(c))
    )


# -- the scan itself ---------------------------------------------------------------------------


def test_the_scan_reads_multiline_calls_wrappers_keywords_and_flags_the_rest() -> None:
    source = """
def _wrap(where, code, message):
    return Issue.warning(code, message, file=where)

def _wrap_again(code):
    return _wrap("f", code, "m")

def check(value, code_from_elsewhere):
    yield Issue.error(
        "A_MULTI_LINE",
        f"{value}",
        cell="A1",
    )
    yield _wrap("f", "B_WRAPPED", "m")
    yield _wrap_again("C_TWICE_WRAPPED")
    yield Issue.error(message="m", code="D_KEYWORD")
    yield Issue(Severity.WARNING, "E_DIRECT", "m")
    yield Refusal("F_REFUSAL", "m")
    yield Issue.error(code_from_elsewhere.code, "m")
"""
    scan = scan_sources({"m.py": source})
    assert scan.found == {
        "A_MULTI_LINE": {Severity.ERROR},
        "B_WRAPPED": {Severity.WARNING},
        "C_TWICE_WRAPPED": {Severity.WARNING},
        "D_KEYWORD": {Severity.ERROR},
        "E_DIRECT": {Severity.WARNING},
        "F_REFUSAL": {Severity.ERROR},
    }
    assert scan.unresolved == {"m.py: code_from_elsewhere.code"}

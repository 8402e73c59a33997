"""The test suite keeps three conventions of CONTRIBUTING.md; each check reads every Python file
under tests/ (with ``ast``, so strings and comments never count) and lists every offending line.

1. **Role-named actors.** No ``accounts[...]`` / ``test_accounts[...]`` subscript (a bare
   account index) in test code. Allowed where the actors are named: ``conftest.py`` files
   (``customs_admin = accounts[1]`` is how a role is defined) and ``tests/utils/`` (shared
   harnesses that define their actors by role, such as the bus deployment's validator keys).
2. **Fixtures through conftest.py, not imported across folders.** A module under tests/ may
   import from ``tests/utils/`` (shared helpers and fixture modules), from
   ``tests/fuzz/strategies/`` (the one home of hypothesis strategies), and from a non-test
   module of its own folder (``harness.py`` next to it, or its folder's ``conftest.py``).
   Anything else is flagged: another folder's ``conftest.py``, ``test_*.py`` or helper module,
   a package ``__init__``, and any ``test_*.py`` at all (tests never import tests).
3. **One home for strategies.** Hypothesis strategies are defined only in
   ``tests/fuzz/strategies/`` and in conftest files: a ``@st.composite`` builder, or a
   module-level assignment of a ``hypothesis.strategies`` expression (``digests = st.binary()``),
   anywhere else is flagged. Strategies written inline where they are used (``@given(x=st...)``,
   ``@rule(org=st.sampled_from(ORGS))``, ``data.draw(st...)``) and stateful ``Bundle``s are uses,
   not definitions; they stay where they are (moving them out of a state machine's class would
   also change the derandomised examples, which hypothesis derives from the class source).
   So are strategies a test builds inside a function from its fixtures' values (the deployed
   accounts, say): they cannot exist before the fixtures do.

Each rule also has a test on small made-up sources, so that the check itself can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TESTS = ROOT / "tests"
UTILS = TESTS / "utils"
STRATEGIES = TESTS / "fuzz" / "strategies"
ACCOUNT_CONTAINERS = {"accounts", "test_accounts"}


def suite_files() -> list[Path]:
    """Every Python file under tests/, in a stable order."""
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _inside(path: Path, folder: Path) -> bool:
    return folder == path or folder in path.parents


# ------------------------------------------------------------------ 1. bare account indices


def bare_account_indices(source: str) -> list[int]:
    """Lines of ``accounts[...]``, ``test_accounts[...]`` and ``<x>.accounts[...]`` subscripts."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Subscript):
            continue
        value = node.value
        name = value.id if isinstance(value, ast.Name) else getattr(value, "attr", None)
        if name in ACCOUNT_CONTAINERS:
            lines.append(node.lineno)
    return sorted(set(lines))


def account_rule_applies(path: Path) -> bool:
    """Conftest files and tests/utils name the actors; everything else uses those names."""
    return path.name != "conftest.py" and not _inside(path, UTILS)


def account_index_violations(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        if not account_rule_applies(path):
            continue
        for line in bare_account_indices(path.read_text()):
            found.append(f"{_relative(path)}:{line}: bare account index (use a role fixture)")
    return found


# ------------------------------------------------------------------ 2. imports across folders


def imported_modules(source: str, package: str) -> list[tuple[int, str, list[str]]]:
    """``(line, module, names)`` of every import, relative ones resolved against ``package``."""
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module, [alias.name for alias in node.names]))
    return found


def _module_file(dotted: str) -> Path | None:
    """The file of module ``tests.x.y`` (a module or a package), or None if there is none."""
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def import_targets(module: str, names: list[str]) -> list[Path]:
    """Files an import reads: ``from tests.fuzz import strategies`` reads the submodule."""
    targets = []
    for name in names or [""]:
        submodule = _module_file(f"{module}.{name}") if name and name != "*" else None
        target = submodule or _module_file(module)
        if target is not None:
            targets.append(target)
        else:  # a module that does not exist: report it against the folder it names
            targets.append(ROOT.joinpath(*module.split(".")) / "<missing>.py")
    return targets


def allowed_import(importer: Path, target: Path) -> bool:
    if _inside(target, UTILS) or _inside(target, STRATEGIES):
        return True
    if target.name.startswith("test_"):
        return False
    return target.parent == importer.parent and target.name != "__init__.py"


def cross_folder_import_violations(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
        for line, module, names in imported_modules(path.read_text(), package):
            if module != "tests" and not module.startswith("tests."):
                continue
            for target in dict.fromkeys(import_targets(module, names)):
                if not allowed_import(path, target):
                    found.append(
                        f"{_relative(path)}:{line}: imports {_relative(target)} "
                        "(share it through tests/utils or a conftest.py)"
                    )
    return found


# ------------------------------------------------------------------ 3. strategies' one home


def _strategy_aliases(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to the ``hypothesis.strategies`` module, and names imported from it."""
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "hypothesis":
            modules |= {a.asname or a.name for a in node.names if a.name == "strategies"}
        elif isinstance(node, ast.ImportFrom) and node.module == "hypothesis.strategies":
            functions |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "hypothesis.strategies" and a.asname:
                    modules.add(a.asname)
                elif a.name in ("hypothesis", "hypothesis.strategies"):
                    modules.add("hypothesis.strategies")
    return modules, functions


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _root_call(node: ast.expr) -> ast.expr:
    """The innermost callee of a chain such as ``st.integers(1, 5).map(f).filter(g)``."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call):
            node = node.value
        else:
            return node


def strategy_definitions(source: str) -> list[int]:
    """Lines of ``@composite`` builders and of module-level ``name = <strategy expression>``."""
    tree = ast.parse(source)
    modules, functions = _strategy_aliases(tree)

    def is_strategy_callee(node: ast.expr) -> bool:
        dotted = _dotted(node)
        head, _, _ = dotted.rpartition(".")
        return head in modules or (not head and dotted in functions)

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                callee = decorator.func if isinstance(decorator, ast.Call) else decorator
                if _dotted(callee).rpartition(".")[2] == "composite" and (
                    is_strategy_callee(callee) or _dotted(callee) == "composite"
                ):
                    lines.append(node.lineno)
    for statement in tree.body:
        value = statement.value if isinstance(statement, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Call) and is_strategy_callee(_root_call(value)):
            lines.append(statement.lineno)
    return sorted(lines)


def strategy_rule_applies(path: Path) -> bool:
    return path.name != "conftest.py" and not _inside(path, STRATEGIES)


def strategy_violations(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        if not strategy_rule_applies(path):
            continue
        for line in strategy_definitions(path.read_text()):
            found.append(
                f"{_relative(path)}:{line}: hypothesis strategy defined outside "
                "tests/fuzz/strategies/"
            )
    return found


# ------------------------------------------------------------------ the suite itself


@pytest.mark.parametrize(
    "check",
    [account_index_violations, cross_folder_import_violations, strategy_violations],
    ids=["no_bare_account_indices", "no_cross_folder_imports", "strategies_in_one_home"],
)
def test_suite__every_test_module__keeps_the_convention(check):
    violations = check(suite_files())
    assert not violations, "\n" + "\n".join(violations)


def test_suite__scanned__includes_every_test_folder():
    folders = {p.relative_to(TESTS).parts[0] for p in suite_files() if p.parent != TESTS}
    assert {"unit", "integration", "e2e", "fuzz", "security", "faults", "utils"} <= folders


# ------------------------------------------------------------------ the checks, on samples


def test_bare_account_indices__index_in_test__found():
    source = (
        "def test_x(accounts, chain):\n"
        "    a = accounts[3]\n"
        "    b = [accounts[i] for i in (1, 2)]\n"
        "    c = chain.accounts.test_accounts[0]\n"
    )
    assert bare_account_indices(source) == [2, 3, 4]


def test_bare_account_indices__role_fixtures_and_strings__not_found():
    source = (
        'def test_x(customs_admin, accounts):\n    """accounts[3] in a docstring"""\n'
        "    n = len(accounts)\n    return customs_admin, n\n"
    )
    assert bare_account_indices(source) == []


@pytest.mark.parametrize(
    ("path", "applies"),
    [
        ("unit/bus/test_a.py", True),
        ("unit/bus/harness.py", True),
        ("golden/did/test_did_golden.py", True),
        ("conftest.py", False),
        ("unit/notary/conftest.py", False),
        ("utils/bus_local.py", False),
        ("utils/fixtures/bus.py", False),
    ],
)
def test_account_rule_applies__outside_conftest_and_utils(path, applies):
    assert account_rule_applies(TESTS / path) is applies


@pytest.mark.parametrize(
    ("path", "applies"),
    [
        ("unit/bus/test_bus_python.py", True),
        ("fuzz/stateful/test_a.py", True),
        ("fuzz/conftest.py", False),
        ("fuzz/strategies/bus.py", False),
        ("fuzz/strategies/__init__.py", False),
    ],
)
def test_strategy_rule_applies__outside_strategies_and_conftest(path, applies):
    assert strategy_rule_applies(TESTS / path) is applies


@pytest.mark.parametrize(
    ("importer", "target", "allowed"),
    [
        ("security/test_a.py", "utils/bus_harness.py", True),
        ("unit/bus/test_a.py", "fuzz/strategies/bus.py", True),
        ("unit/bus/test_a.py", "unit/bus/harness.py", True),
        ("faults/test_a.py", "faults/conftest.py", True),
        ("security/test_a.py", "unit/bus/harness.py", False),
        ("security/conftest.py", "unit/notary/conftest.py", False),
        ("fuzz/stateful/test_a.py", "fuzz/__init__.py", False),
        ("unit/bus/test_a.py", "unit/bus/test_b.py", False),
    ],
)
def test_allowed_import__by_folder(importer, target, allowed):
    assert allowed_import(TESTS / importer, TESTS / target) is allowed


def test_imported_modules__relative_import__resolved_against_package():
    found = imported_modules("from .harness import ORIGIN\nfrom .. import x\n", "tests.unit.bus")
    assert found == [(1, "tests.unit.bus.harness", ["ORIGIN"]), (2, "tests.unit", ["x"])]


def test_import_targets__submodule_named_in_from_import__is_the_submodule():
    assert import_targets("tests.fuzz", ["strategies"]) == [STRATEGIES / "__init__.py"]
    assert import_targets("tests.fuzz.strategies", ["digests"]) == [STRATEGIES / "__init__.py"]


def test_strategy_definitions__composite_and_module_level__found():
    source = (
        "from hypothesis import strategies as st\n"
        "from hypothesis.strategies import composite, integers\n"
        "orgs = st.sampled_from([1, 2]).map(int)\n"
        "small: object = integers(0, 3)\n"
        "@st.composite\n"
        "def pairs(draw):\n"
        "    return draw(orgs), draw(small)\n"
        "@composite\n"
        "def trios(draw):\n"
        "    return draw(orgs)\n"
    )
    assert strategy_definitions(source) == [3, 4, 6, 9]


def test_strategy_definitions__inline_uses_and_other_calls__not_found():
    source = (
        "from hypothesis import given, strategies as st\n"
        "from hypothesis.stateful import Bundle\n"
        "ORGS = tuple(range(3))\n"
        "keys = Bundle('keys')\n"
        "@given(x=st.integers())\n"
        "def test_x(x):\n"
        "    y = st.integers()\n"
    )
    assert strategy_definitions(source) == []

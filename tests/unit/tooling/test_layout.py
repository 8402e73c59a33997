"""The package layout keeps its promises: the SDK never imports the CLI or the dev tooling,
test-only models do not ship, and every package module says what it is for."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "trustspace"
TOOLING = ("trustspace.cli", "trustspace.devnet")


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


# ``python -m trustspace.bus`` is an entry point of the CLI, not SDK code.
SDK_MODULES = [
    p for p in _modules() if not _dotted(p).startswith(TOOLING) and p.name != "__main__.py"
]


@pytest.mark.parametrize("path", SDK_MODULES, ids=_dotted)
def test_sdk_module__never_imports_the_cli_or_devnet(path):
    bad = sorted(m for m in _imports(path) if m.startswith(TOOLING))
    assert not bad, f"{_dotted(path)} imports {bad}: the SDK must not depend on cli/ or devnet/"


@pytest.mark.parametrize("path", _modules(), ids=_dotted)
def test_package_module__never_imports_the_tests(path):
    bad = sorted(m for m in _imports(path) if m == "tests" or m.startswith("tests."))
    assert not bad, f"{_dotted(path)} imports test-only code {bad}"


@pytest.mark.parametrize("path", _modules(), ids=_dotted)
def test_package_module__has_a_docstring(path):
    assert ast.get_docstring(ast.parse(path.read_text())), f"{_dotted(path)} has no docstring"


def test_package__is_typed():
    assert (PACKAGE / "py.typed").exists()


def _public_names(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    return None


# Modules that only hold the package docstring, or are entry points.
NO_PUBLIC_SURFACE = {"__init__.py", "__main__.py"}


@pytest.mark.parametrize(
    "path", [p for p in _modules() if p.name not in NO_PUBLIC_SURFACE], ids=_dotted
)
def test_public_module__declares_all_and_documents_each_name(path):
    tree = ast.parse(path.read_text())
    names = _public_names(tree)
    assert names is not None, f"{_dotted(path)} has no __all__"
    defined = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    undocumented = [n for n in names if n in defined and not ast.get_docstring(defined[n])]
    assert not undocumented, f"{_dotted(path)}: no docstring on {undocumented}"
    missing = [n for n in names if n not in defined and n not in _assigned(tree)]
    assert not missing, f"{_dotted(path)}: __all__ names {missing} that the module does not define"


def _assigned(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        names.update(t.id for t in targets if isinstance(t, ast.Name))
        if isinstance(node, ast.ImportFrom | ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names

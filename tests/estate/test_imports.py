"""No import cycles and no upward imports (STYLE.md's layers), checked on the source itself.

Every ``.py`` of the project's apps is parsed with ``ast`` and each ``import`` /
``from ... import`` is resolved to a project module. Imports inside functions count like any
other: a deferred import is still a dependency (it only hides a cycle from Python's import
machinery, which is exactly what this test must not miss). ``if TYPE_CHECKING:`` imports count
too, for the same reason.

Layers, bottom up: estate -> residents (the files) -> fees -> repairs -> {residents.movein,
renovation, community}. A module may import its own layer or a lower one; the top layer's
apps are peers (one may use another, never both ways: that is a cycle between apps).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["estate", "residents", "fees", "repairs", "renovation", "community"]

# Layer of a module: the longest matching prefix wins (residents.movein sits on top).
LAYERS = {
    "estate": 0,
    "residents": 1,
    "fees": 2,
    "repairs": 3,
    "residents.movein": 4,
    "renovation": 4,
    "community": 4,
}

# Modules that may import every layer, with why.
EXEMPT = {
    "estate.urls": "the composition root of the pages: it mounts every app's urls",
    "estate.api": "the composition root of the API: it mounts every app's router",
    "estate.settings": "lists every app in INSTALLED_APPS (as strings; exempt all the same)",
}
# tests/ and */migrations/ are not parsed at all: tests exercise every layer by design, and
# migrations are generated and may name any app's model.

# No known cycle is tolerated: an entry here would have to name the pair and the issue fixing it.
KNOWN_FILE_CYCLES: list[set[str]] = []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            modules[_module_name(path)] = path
    return modules


MODULES = _project_modules()


def _resolve(name: str) -> str | None:
    """The project module ``name`` refers to: itself, or its longest project prefix."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_resolve(alias.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                # ``from fees import selectors`` imports the module fees.selectors.
                target = _resolve(f"{source}.{alias.name}")
                if target is None or target == _resolve(source):
                    target = _resolve(source)
                found.add(target)
    found.discard(None)
    found.discard(module)
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _layer_of(module: str) -> str:
    return max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len)


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        out.append(component)
    return out


def test_the_graph_sees_the_project():
    """Guards the checks below against passing vacuously."""
    assert len(MODULES) > 50
    assert "estate.kpi" in GRAPH["fees.metrics"]
    assert "fees.selectors" in GRAPH["fees.metrics"]
    assert "fees.views.common" in GRAPH["fees.views.account"]
    # An import inside a function counts (fees.selectors.accounts imports residents lazily).
    assert any(m.startswith("residents") for m in GRAPH["fees.selectors.accounts"])


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert _cycles(graph) == [{"a", "b", "c"}]


def test_no_lower_layer_imports_a_higher_one():
    wrong = sorted(
        f"{module} ({_layer_of(module)}) imports {target} ({_layer_of(target)})"
        for module, targets in GRAPH.items()
        if module not in EXEMPT
        for target in targets
        if LAYERS[_layer_of(target)] > LAYERS[_layer_of(module)]
    )
    assert wrong == []


def test_no_cycle_between_apps():
    apps: dict[str, set[str]] = {layer: set() for layer in LAYERS}
    for module, targets in GRAPH.items():
        if module in EXEMPT:
            continue
        for target in targets:
            if _layer_of(target) != _layer_of(module):
                apps[_layer_of(module)].add(_layer_of(target))
    assert _cycles(apps) == []


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_no_cycle_between_files_of_one_app(app):
    inside = {
        module: {t for t in targets if _layer_of(t) == app}
        for module, targets in GRAPH.items()
        if _layer_of(module) == app
    }
    found = [c for c in _cycles(inside) if c not in KNOWN_FILE_CYCLES]
    assert found == [], f"import cycles inside {app}: {found}"


def test_selectors_never_import_services():
    """Selectors only read (STYLE.md): a selector that calls a service writes on a GET, as
    estate.selectors.kpi_table once did by storing a missing snapshot."""
    selectors = [m for m in GRAPH if "selectors" in m.split(".")]
    assert "estate.selectors" in selectors and "fees.selectors.bills" in selectors
    wrong = sorted(
        f"{module} imports {target}"
        for module in selectors
        for target in GRAPH[module]
        if "services" in target.split(".")
    )
    assert wrong == []

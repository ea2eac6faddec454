"""No cycles between domains: a package may import only the packages below it.

The order is written here, bottom first. Every import counts, including those
inside functions (read with ``ast``, so nothing needs to run). The top-level
modules (``grantflow.extensions``, ``grantflow.config``, ...) are not domains:
anything may use them."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import grantflow

PACKAGE = Path(grantflow.__file__).parent

#: bottom first: each package may import those before it, never one after it
LAYERS = ("core", "funds", "users", "organisations", "applications", "reviews", "awards", "reporting",
          "mentoring", "portfolio", "catalog", "webhooks", "staff", "admin", "api", "demo")


def domain_packages() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


def imported_packages(path: Path, root: Path = PACKAGE) -> set[tuple[str, int]]:
    """(top-level grantflow package, line) for every import in the module."""
    here = ["grantflow", *path.parent.relative_to(root).parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - node.level + 1]
                module = base + (node.module.split(".") if node.module else [])
                names = [module + [alias.name] for alias in node.names] if not node.module else [module]
            else:
                names = [(node.module or "").split(".")]
        elif isinstance(node, ast.Import):
            names = [alias.name.split(".") for alias in node.names]
        else:
            continue
        for name in names:
            if len(name) > 1 and name[0] == "grantflow":
                found.add((name[1], node.lineno))
    return found


def test_every_package_has_a_place_in_the_order():
    missing = [name for name in domain_packages() if name not in LAYERS]
    assert not missing, f"add {missing} to LAYERS in {__file__} (bottom first)"


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_only_the_ones_below_it(package):
    allowed = set(LAYERS[:LAYERS.index(package)])
    above = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for target, line in imported_packages(path):
            if target in LAYERS and target != package and target not in allowed:
                above.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports grantflow.{target}")
    assert not above, f"{package} may import only {sorted(allowed) or 'no other package'}:\n" + "\n".join(above)


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "grantflow" / "funds" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text("def later():\n    from ..applications.models import Application\n")
    assert imported_packages(module, root=tmp_path / "grantflow") == {("applications", 2)}

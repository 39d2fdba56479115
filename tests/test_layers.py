"""The layers can be seen: every import goes down, never sideways or up (an AST check of the tree).

3  modelprint (root recipes), modelprint.cli, modelprint.demo
2  modelprint.commit | modelprint.implant | modelprint.verify   (siblings: none imports another)
1  modelprint.runtime
0  modelprint.protocol
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {  # package -> folder
    "protocol": ROOT / "protocol",
    "runtime": ROOT / "modelprint" / "runtime",
    "commit": ROOT / "commit",
    "implant": ROOT / "implant",
    "verify": ROOT / "verify",
    "cli": ROOT / "modelprint" / "cli",
}
LAYER = {"protocol": 0, "runtime": 1, "commit": 2, "implant": 2, "verify": 2, "root": 3, "cli": 3}


def _package_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "modelprint":
        return ""
    if len(parts) > 1 and parts[1] in SOURCES:
        return parts[1]
    return "root"


def _module_name(package: str, path: Path) -> list[str]:
    if package == "root":
        rel = path.relative_to(ROOT / "modelprint")
        parts = ["modelprint", *rel.with_suffix("").parts]
    else:
        rel = path.relative_to(SOURCES[package])
        parts = ["modelprint", package, *rel.with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(path: Path, module: list[str]) -> set[str]:
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module if is_package else module[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, *([node.module] if node.module else [])])
                if node.module is None:  # from . import x
                    found.update(f"{name}.{alias.name}" for alias in node.names)
                    continue
            else:
                name = node.module or ""
            found.add(name)
    return found


def _files() -> list[tuple[str, Path]]:
    out = [("root", p) for p in (ROOT / "modelprint").glob("*.py")]
    for package, folder in SOURCES.items():
        out += [(package, p) for p in folder.rglob("*.py")]
    return out


def import_edges() -> dict[tuple[str, str], set[str]]:
    """(from package, to package) -> the importing modules, for every cross-package import."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for package, path in _files():
        module = _module_name(package, path)
        for target in _imports(path, module):
            to = _package_of(target)
            if to and to != package:
                edges[(package, to)].add(".".join(module))
    return edges


def test_every_import_goes_down_a_layer() -> None:
    wrong = {
        f"{a} -> {b}: {sorted(mods)}"
        for (a, b), mods in import_edges().items()
        if LAYER[b] >= LAYER[a] and not (LAYER[a] == 3 and LAYER[b] == 3)
    }
    assert not wrong, "imports that go sideways or up:\n" + "\n".join(sorted(wrong))


def test_the_checker_sees_relative_and_absolute_imports(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("from ..commit.identity import Identity\nimport modelprint.verify.chain\n")
    found = _imports(source, ["modelprint", "implant", "mod"])
    assert {"modelprint.commit.identity", "modelprint.verify.chain"} <= found


@pytest.mark.parametrize("package", ["protocol", "runtime"])
def test_the_lower_layers_import_no_library_side(package: str) -> None:
    above = {"commit", "implant", "verify", "cli", "root"}
    edges = import_edges()
    assert not [(a, b) for (a, b) in edges if a == package and b in above]


if __name__ == "__main__":  # prints the import-edge table (for issue notes)
    for (a, b), mods in sorted(import_edges().items()):
        print(f"{a:9} -> {b:9} {len(mods):3}")

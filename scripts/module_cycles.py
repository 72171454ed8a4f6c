"""Lists the cycles between the top-level modules of each crate (shared, cli, testkit): module A
uses module B (a `crate::b` path anywhere in A's files) and B, directly or not, uses A.

Usage: python scripts/module_cycles.py   (exits 1 if there is a cycle)
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATES = {"shared": ROOT / "shared/src", "cli": ROOT / "cli/src", "testkit": ROOT / "testkit/src"}
ROOTS = {"lib.rs", "main.rs"}
USE = re.compile(r"\bcrate::(\w+)")
BRACED = re.compile(r"\buse crate::\{([^}]*)\}", re.S)


def top_module(source: pathlib.Path, src: pathlib.Path) -> str | None:
    parts = source.relative_to(src).with_suffix("").parts
    if parts[0] in ("lib", "main", "bin"):
        return None
    return parts[0]


def graph(src: pathlib.Path) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for source in src.rglob("*.rs"):
        module = top_module(source, src)
        if module is None:
            continue
        text = source.read_text()
        # Test modules may reach anywhere, and comments (doc links) are no dependency: the
        # layering is the code's.
        text = text.split("#[cfg(test)]", 1)[0]
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
        used = set(USE.findall(text))
        for group in BRACED.findall(text):
            used |= {item.strip().split("::")[0] for item in group.split(",") if item.strip()}
        edges.setdefault(module, set()).update(used - {module, "self"})
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    total = 0
    for crate, src in CRATES.items():
        for component in cycles(graph(src)):
            total += 1
            print(f"module_cycles: {crate}: {' <-> '.join(component)}")
    print(f"module_cycles: {total} cycle(s) between top-level modules")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())

"""Proves that every link of README.md and docs/*.md to a file of the repository, or to a
heading of one, lands: the pages link to each other by heading, and a heading renamed or moved
to another page must take its links along.

Usage: python -m unittest scripts/test_docs_links.py   (from the repository root)
"""

import pathlib
import re
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$")
FENCE = re.compile(r"^```")


def anchors(page: pathlib.Path) -> set[str]:
    """GitHub's anchors of a page's headings (fenced code left out)."""
    found, fenced = set(), False
    for line in page.read_text().splitlines():
        if FENCE.match(line):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match:
            slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
            found.add(slug)
    return found


class DocsLinksTest(unittest.TestCase):
    def test_every_relative_link_lands(self):
        broken = []
        for page in PAGES:
            for target in LINK.findall(page.read_text()):
                if re.match(r"^[a-z]+:", target):
                    continue  # https:, mailto: and the like
                path, _, anchor = target.partition("#")
                landing = (page.parent / path).resolve() if path else page
                where = f"{page.relative_to(ROOT)} -> {target}"
                if not landing.exists():
                    broken.append(f"{where}: no such file")
                elif anchor and landing.suffix == ".md" and anchor not in anchors(landing):
                    broken.append(f"{where}: no such heading")
        self.assertEqual(broken, [])

    def test_the_readme_stays_short(self):
        lines = (ROOT / "README.md").read_text().count("\n")
        self.assertLessEqual(lines, 200, "README.md is the five-minute read: move detail to docs/")


if __name__ == "__main__":
    unittest.main()

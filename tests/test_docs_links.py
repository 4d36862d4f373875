"""Every relative link and picture in README.md and docs/*.md leads somewhere: the file
or folder it names exists (relative to the page, as GitHub reads it), and a `#anchor`
names a heading of its target page (GitHub's slug of it). The README was split into
docs/ pages that name each other's headings; a moved or renamed section would otherwise
leave a link that opens the top of a page, or nothing. Links in code (fenced blocks,
`inline code`) are commands, not links, and are left alone."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT

FENCED = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[^\n]*$", re.M | re.S)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
# [text](target) and ![alt](target), the text holding at most one level of brackets;
# an optional "title" after the target
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def pages(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def prose(text: str) -> str:
    """The page without its code: fenced blocks, then inline code spans."""
    return INLINE_CODE.sub("code", FENCED.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation but - and _ dropped
    (backticks, parentheses, colons, ...), each space a hyphen."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings; a repeated one gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    out = set()
    for heading in HEADING.findall(FENCED.sub("", page.read_text())):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def problems(page: Path) -> list[str]:
    """What is wrong with each relative link of a page, one line each."""
    out = []
    for target in LINK.findall(prose(page.read_text())):
        if SCHEME.match(target):
            continue  # https:, mailto:
        where = f"{page.name}: ({target})"
        path, _, anchor = target.partition("#")
        if path.startswith("/"):
            out.append(f"{where}: an absolute path; name it relative to the page")
            continue
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            out.append(f"{where}: no such file")
        elif anchor:
            if dest.suffix != ".md":
                out.append(f"{where}: an anchor into a file that is no page")
            elif anchor not in anchors(dest):
                out.append(f"{where}: no heading #{anchor} in {dest.name}")
    return out


def test_every_relative_link_and_anchor_in_the_readme_and_docs_leads_somewhere():
    found = pages()
    assert len(found) > 2 and all(p.exists() for p in found)  # the README and docs/
    assert [line for page in found for line in problems(page)] == []


def test_a_broken_link_a_missing_anchor_and_a_missing_picture_are_found(tmp_path):
    """The checker itself: what it must catch, and what it must let be."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# There\n\n## The snap policy: (3 strokes)\n")
    (tmp_path / "docs" / "pic.png").write_bytes(b"")
    (tmp_path / "README.md").write_text(
        "# Top\n\n"
        "[ok](docs/there.md#the-snap-policy-3-strokes) ![ok](docs/pic.png) [ok](#top)\n"
        "[web](https://example.com/x.md) `[code](gone.md)`\n\n"
        "```\n[in a block](gone.md)\n# not a heading\n```\n\n"
        "[gone](docs/gone.md) ![gone](docs/gone.png) [bad anchor](docs/there.md#the-snap)\n"
        "[no heading](#not-a-heading) [abs](/docs/there.md)\n"
    )
    assert problems(tmp_path / "README.md") == [
        "README.md: (docs/gone.md): no such file",
        "README.md: (docs/gone.png): no such file",
        "README.md: (docs/there.md#the-snap): no heading #the-snap in there.md",
        "README.md: (#not-a-heading): no heading #not-a-heading in README.md",
        "README.md: (/docs/there.md): an absolute path; name it relative to the page",
    ]


def test_a_repeated_heading_is_told_apart_as_github_does(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("# Keys\n\n## Keys\n\n### Events (`--events`)\n")
    assert anchors(page) == {"keys", "keys-1", "events---events"}

"""The commands the documentation shows exist.

Every ``coopreport ...`` (also ``.venv/bin/coopreport``, ``python -m analysis``) and ``make ...``
command in a code block or code span of README.md and docs/*.md is checked: the subcommand is
one the parser has (``coopreport SUB --help`` exits 0, in-process), each long option shown is
one of that subcommand's, and each make target is a rule of the Makefile. In the command
listing of docs/cli.md an indented line of options belongs to the command above it. A problem
names FILE:LINE (for a code span, the first line of its paragraph).

The slow test renders the documentation website (docs/, a Quarto project) when Quarto is
installed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from analysis.cli import build_parser
from analysis.core import paths
from analysis.render.quarto_cli import find_quarto

SHELL_SEPARATORS = {"&&", "||", ";", "|", "&"}
SUBCOMMAND = re.compile(r"^[a-z][a-z0-9-]*$")
LONG_OPTION = re.compile(r"^[\[(]*(--[a-z][a-z0-9-]*)")
MAKE_RULE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*)\s*:(?!=)", re.MULTILINE)


@dataclass(frozen=True)
class Shown:
    """A command shown in a document: ``where`` is FILE:LINE, ``words`` follow the tool."""

    where: str
    tool: str  # "coopreport" or "make"
    words: tuple[str, ...]


def _documents() -> list[Path]:
    root = paths.project_root()
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def code_snippets(text: str) -> Iterator[tuple[int, str, bool]]:
    """(first line, code, is a block) of each fenced or indented block and each code span."""
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        line = token.map[0] + 1 if token.map else 0
        if token.type in ("fence", "code_block"):
            yield line, token.content, True
        elif token.type == "inline":
            for child in token.children or []:
                if child.type == "code_inline":
                    yield line, child.content, False


def _strip_comment(line: str) -> str:
    return re.split(r"(?:^|\s)#", line, maxsplit=1)[0]


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # an apostrophe in a description: words are enough
        return text.split()


def _segments(tokens: list[str]) -> Iterator[list[str]]:
    """The simple commands of a shell line, each without its redirections."""
    segment: list[str] = []
    redirected = False
    for token in [*tokens, ";"]:
        if token in SHELL_SEPARATORS:
            if segment:
                yield segment
            segment, redirected = [], False
        elif token.startswith((">", "<")):
            redirected = True  # what follows is the redirection's target
        elif not redirected:
            segment.append(token)


def _command(segment: list[str]) -> tuple[str, list[str]] | None:
    """("coopreport" | "make", the words after it) when the segment runs one of them."""
    words = segment
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):  # VAR=value prefixes
        words = words[1:]
    if not words:
        return None
    name = os.path.basename(words[0])
    if name == "coopreport":
        return "coopreport", words[1:]
    if name.startswith("python") and words[1:3] == ["-m", "analysis"]:
        return "coopreport", words[3:]
    if name == "make":
        return "make", words[1:]
    return None


def _logical_lines(first: int, code: str, is_block: bool) -> Iterator[tuple[int, str]]:
    """(line number, line) of a snippet; a line continued with a backslash is joined to the
    next and keeps its own number. A code span is one line (its line breaks are spaces)."""
    if not is_block:
        yield first, code.replace("\n", " ")
        return
    pending: tuple[int, str] | None = None
    for offset, line in enumerate(code.split("\n")):
        number = first + 1 + offset  # the fence is the block's first line
        start, text = pending if pending else (number, "")
        text = f"{text} {line.strip()}" if pending else line
        if text.rstrip().endswith("\\"):
            pending = (start, text.rstrip()[:-1].rstrip())
            continue
        pending = None
        yield start, text


def shown_commands(text: str, name: str) -> list[Shown]:
    """Every coopreport and make command shown in the Markdown ``text`` of file ``name``."""
    shown: list[Shown] = []
    for first, code, is_block in code_snippets(text):
        current: Shown | None = None
        for number, raw in _logical_lines(first, code, is_block):
            where = f"{name}:{number}"
            # a listing's description column starts after a run of spaces
            line = re.split(r"(?<=\S) {3,}", _strip_comment(raw).strip(), maxsplit=1)[0]
            if current is not None and LONG_OPTION.match(line):
                shown.append(Shown(where, current.tool, (*current.words, *_tokens(line))))
                continue
            current = None
            for segment in _segments(_tokens(line)):
                found = _command(segment)
                if found:
                    current = Shown(where, found[0], tuple(found[1]))
                    shown.append(current)
    return shown


# ---- checking the commands ----------------------------------------------------------------


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _long_options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for action in parser._actions for o in action.option_strings if o.startswith("--")}


def _help_exits_0(words: list[str]) -> bool:
    with contextlib.redirect_stdout(io.StringIO()), pytest.raises(SystemExit) as stop:
        build_parser().parse_args([*words, "--help"])
    return stop.value.code == 0


def coopreport_problems(shown: Shown) -> list[str]:
    parser = build_parser()
    words = list(shown.words)
    path: list[str] = []
    # options before the subcommand are the command's own (-v, --version)
    while words and words[0].startswith("-"):
        option = words.pop(0).split("=")[0]
        if option.startswith("--") and option not in _long_options(parser):
            return [f"{shown.where}: coopreport has no option {option}"]
    while _subparsers(parser):
        if not words or not SUBCOMMAND.match(words[0]):
            return []  # a placeholder (`coopreport ...`, `coopreport COMMAND`): nothing to check
        name = words.pop(0)
        choices = _subparsers(parser)
        if name not in choices:
            shown_as = " ".join(["coopreport", *path, name])
            return [f"{shown.where}: {shown_as}: no such command; the parser has "
                    f"{', '.join(sorted(choices))}"]
        path.append(name)
        parser = choices[name]
    problems = []
    if not _help_exits_0(path):
        problems.append(f"{shown.where}: coopreport {' '.join(path)} --help did not exit 0")
    known = _long_options(parser)
    for word in words:
        match = LONG_OPTION.match(word)
        if match and match.group(1).split("=")[0] not in known:
            problems.append(f"{shown.where}: coopreport {' '.join(path)} has no option "
                            f"{match.group(1)}; it has {', '.join(sorted(known))}")
    return problems


def makefile_targets(makefile: str) -> set[str]:
    return set(MAKE_RULE.findall(makefile))


def make_problems(shown: Shown, targets: set[str]) -> list[str]:
    return [f"{shown.where}: make {word}: the Makefile has no such target"
            for word in shown.words
            if not word.startswith("-") and "=" not in word and SUBCOMMAND.match(word)
            and word not in targets]


def documentation_problems(shown: list[Shown], targets: set[str]) -> list[str]:
    problems: list[str] = []
    for command in shown:
        if command.tool == "coopreport":
            problems += coopreport_problems(command)
        else:
            problems += make_problems(command, targets)
    return problems


def _all_shown() -> list[Shown]:
    root = paths.project_root()
    return [c for doc in _documents()
            for c in shown_commands(doc.read_text("utf-8"), str(doc.relative_to(root)))]


def test_every_command_the_documentation_shows_exists():
    targets = makefile_targets((paths.project_root() / "Makefile").read_text("utf-8"))
    assert documentation_problems(_all_shown(), targets) == []


def test_the_documentation_shows_the_two_commands_and_the_main_subcommands():
    shown = {(c.tool, c.words[0]) for c in _all_shown() if c.words}
    assert {("make", "report"), ("make", "test"), ("coopreport", "build"),
            ("coopreport", "validate")} <= shown


# ---- the extractor and the checks, on hand-written Markdown --------------------------------

HAND_MD = """\
Run `coopreport validate` or `make test VENV=`; `coopreport[extract]` is an extra.

```bash
cd /srv/x && make report BUILD_FLAGS=--strict >> /var/log/x.log 2>&1   # weekly
.venv/bin/papermill in.ipynb out.ipynb -p country AZE \\
    --engine coopreport          # optional
.venv/bin/coopreport render out.ipynb --output-dir out/
python -m analysis ...
```

```text
coopreport build PARAMS.yaml ...    execute and render the report's notebooks
    --jobs N                        reports in parallel
                                    a description line, not an option
coopreport fetch worldbank --country UZB [--since YEAR]
```
"""


def test_shown_commands_reads_blocks_spans_continuations_and_listings():
    assert shown_commands(HAND_MD, "hand.md") == [
        Shown("hand.md:1", "coopreport", ("validate",)),
        Shown("hand.md:1", "make", ("test", "VENV=")),
        Shown("hand.md:4", "make", ("report", "BUILD_FLAGS=--strict")),
        Shown("hand.md:7", "coopreport", ("render", "out.ipynb", "--output-dir", "out/")),
        Shown("hand.md:8", "coopreport", ("...",)),
        Shown("hand.md:12", "coopreport", ("build", "PARAMS.yaml", "...")),
        Shown("hand.md:13", "coopreport", ("build", "PARAMS.yaml", "...", "--jobs", "N")),
        Shown("hand.md:15", "coopreport", ("fetch", "worldbank", "--country", "UZB",
                                           "[--since", "YEAR]")),
    ]


def test_the_hand_written_commands_pass():
    assert documentation_problems(shown_commands(HAND_MD, "hand.md"), {"report", "test"}) == []


@pytest.mark.parametrize(("markdown", "problem"), [
    ("`coopreport biuld x.yaml`",
     "x.md:1: coopreport biuld: no such command; the parser has build, extract, fetch, "
     "import, list, new, render, validate"),
    ("`coopreport import ocsd f.json`",
     "x.md:1: coopreport import ocsd: no such command; the parser has iati, ocds, worldbank"),
    ("```\ncoopreport validate --all\n```",
     "x.md:2: coopreport validate has no option --all; it has --help"),
    ("```text\ncoopreport build --all\n    --preview    what would build\n```",
     "x.md:3: coopreport build has no option --preview"),
    ("`coopreport --quiet build`", "x.md:1: coopreport has no option --quiet"),
    ("`make reprot`", "x.md:1: make reprot: the Makefile has no such target"),
])
def test_a_command_the_parser_or_makefile_lacks_is_named(markdown, problem):
    problems = documentation_problems(shown_commands(markdown, "x.md"), {"report", "test"})
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_makefile_targets_are_its_rules_not_its_variables():
    assert makefile_targets("X := 1\nY ?= 2\nreport: $(STAMP) ## build\n\tcmd\nz:\n") == {
        "report", "z"}


# ---- the website, rendered by Quarto ------------------------------------------------------

REQUIRE_QUARTO = os.environ.get("COOPREPORT_REQUIRE_QUARTO") == "1"


class _Refs(HTMLParser):
    """The resources a page loads (script src, link href, img src) and its sidebar links."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.sidebar: list[str] = []
        self._in_sidebar = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav" and a.get("id") == "quarto-sidebar":
            self._in_sidebar = 1
        elif tag == "nav" and self._in_sidebar:
            self._in_sidebar += 1
        if tag in ("script", "img", "iframe") and a.get("src"):
            self.loads.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"] or "")
        if tag == "a" and self._in_sidebar and a.get("href"):
            self.sidebar.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._in_sidebar:
            self._in_sidebar -= 1


@pytest.mark.slow
@pytest.mark.skipif(
    find_quarto() is None and not REQUIRE_QUARTO,
    reason="Quarto is not installed: put quarto on PATH or set QUARTO_PATH to render the "
           "documentation website (make docs)")
def test_the_documentation_website_renders_offline_with_every_page(tmp_path: Path):
    quarto = find_quarto()
    assert quarto, "COOPREPORT_REQUIRE_QUARTO=1 but no Quarto on PATH or in QUARTO_PATH"
    docs = tmp_path / "docs"  # a copy: rendering writes Quarto's cache beside the sources
    shutil.copytree(paths.project_root() / "docs", docs,
                    ignore=shutil.ignore_patterns("_site", ".quarto"))
    done = subprocess.run([quarto, "render", str(docs), "--output-dir", str(tmp_path / "site")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = sorted(p.stem for p in (paths.project_root() / "docs").glob("*.md"))
    site = tmp_path / "site"
    assert sorted(p.stem for p in site.glob("*.html")) == pages
    index = _Refs()
    index.feed((site / "index.html").read_text("utf-8"))
    # contents: auto puts every page in the sidebar (the index is the site's title link)
    assert {p for p in pages if p != "index"} <= {Path(h).stem for h in index.sidebar}
    for page in site.glob("*.html"):
        refs = _Refs()
        refs.feed(page.read_text("utf-8"))
        remote = [r for r in refs.loads if re.match(r"^(https?:)?//", r)]
        assert remote == [], f"{page.name} loads from the network: {remote}"

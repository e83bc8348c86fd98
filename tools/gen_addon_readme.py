"""Build an addon's README.rst from its readme/ fragments, as OCA does.

OCA generates each addon's README.rst with ``oca-gen-addon-readme`` (OCA
maintainer-tools), which is not on PyPI. This script builds the same
document from the same inputs: the manifest and the Markdown fragments
``readme/DESCRIPTION.md``, ``CONTEXT``, ``INSTALL``, ``CONFIGURE``, ``USAGE``,
``DEVELOP``, ``ROADMAP``, ``HISTORY``, ``CONTRIBUTORS`` and ``CREDITS``:
title, "generated" banner with the source digest (sha256 over the manifest
and the fragments), maturity and licence badges, the description, a table of
contents, one section a fragment, the bug tracker, and the credits (authors
from the manifest, contributors, other credits, maintainers).

OCA converts Markdown with pandoc; this converts the subset the fragments
use, and refuses anything else rather than render it wrongly: headings from
``##``, paragraphs, ``-``/``*`` and ``1.`` lists (nested by indenting),
fenced code blocks, images alone on a line, and inline code, ``**strong**``,
``*emphasis*`` and ``[links](url)``. Images keep a path relative to the
addon (``../static/description/x.png`` becomes ``static/description/x.png``).
The result is checked with docutils, as OCA does, when docutils is installed.

Usage:
    python tools/gen_addon_readme.py [--addon-dir crm_relation] [--check]

``--check`` writes nothing: it exits 1, with a diff, when README.rst is not
the one the fragments give.
"""

import argparse
import ast
import difflib
import hashlib
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FRAGMENTS_DIR = "readme"
# (fragment, section title, heading level of the section: 2 or 3)
SECTIONS = [
    ("CONTEXT", "Use Cases / Context", 2),
    ("INSTALL", "Installation", 2),
    ("CONFIGURE", "Configuration", 2),
    ("USAGE", "Usage", 2),
    ("DEVELOP", "Development", 2),
    ("ROADMAP", "Known issues / Roadmap", 2),
    ("HISTORY", "Changelog", 2),
]
CREDIT_SECTIONS = [("CONTRIBUTORS", "Contributors", 3), ("CREDITS", "Other credits", 3)]
FRAGMENTS = ["DESCRIPTION"] + [name for name, _t, _l in SECTIONS + CREDIT_SECTIONS]
# Underline of each heading level; the document title is level 1, with an
# overline. Markdown fragments: "##" is one level below their section.
UNDERLINES = {1: "=", 2: "=", 3: "-", 4: "~", 5: "^"}

LICENSE_BADGES = {
    "LGPL-3": (
        "https://img.shields.io/badge/license-LGPL--3-blue.png",
        "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
        "License: LGPL-3",
    ),
    "AGPL-3": (
        "https://img.shields.io/badge/license-AGPL--3-blue.png",
        "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
        "License: AGPL-3",
    ),
    "GPL-3": (
        "https://img.shields.io/badge/license-GPL--3-blue.png",
        "http://www.gnu.org/licenses/gpl-3.0-standalone.html",
        "License: GPL-3",
    ),
}
STATUS_BADGES = {
    "alpha": ("Alpha", "red"),
    "beta": ("Beta", "yellow"),
    "production/stable": ("Production/Stable", "green"),
    "mature": ("Mature", "brightgreen"),
}
GITHUB_RE = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)/?$")


class FragmentError(ValueError):
    """A fragment uses Markdown this converter does not handle."""


# --------------------------------------------------------------------------
# Markdown (the fragments' subset) to reStructuredText
# --------------------------------------------------------------------------

INLINE_RE = re.compile(
    r"(?P<code>`[^`]+`)"
    r"|(?P<image>!\[[^\]]*\]\([^)]*\))"
    r"|(?P<link>\[(?P<ltext>[^\]]+)\]\((?P<lurl>[^)\s]+)\))"
    r"|(?P<strong>\*\*(?P<stext>[^*]+)\*\*)"
    r"|(?P<em>\*(?P<etext>[^*\s](?:[^*]*[^*\s])?)\*)"
    r"|(?P<escape>\\[\\`*_{}\[\]()#+\-.!<>|])"
)
# Characters after which (before which) inline markup may start (end)
# without an escaped space, as docutils' inline markup recognition rules say.
START_OK = set(" \t\n'\"([{<-/:") | {"\N{EN DASH}", "\N{EM DASH}"}
END_OK = set(" \t\n'\")]}>-/:.,;!?\\")


def _starts_ok(char):
    return (
        char is None
        or char in START_OK
        or (unicodedata.category(char) in ("Ps", "Pi", "Pf", "Pd", "Po", "Zs"))
    )


def _ends_ok(char):
    return (
        char is None
        or char in END_OK
        or (unicodedata.category(char) in ("Pe", "Pi", "Pf", "Pd", "Po", "Zs"))
    )


def _escape_text(text):
    text = text.replace("\\", "\\\\")
    for char in "*`|":
        text = text.replace(char, "\\" + char)
    # "word_" is a reference in reStructuredText.
    return re.sub(r"_(?!\w)", r"\\_", text)


def convert_inline(text):
    """One line (or paragraph) of Markdown inline text, as reStructuredText."""
    out = []
    pos = 0
    for match in INLINE_RE.finditer(text):
        out.append(("text", text[pos : match.start()]))
        pos = match.end()
        if match.group("code"):
            out.append(("markup", "``" + match.group("code")[1:-1] + "``"))
        elif match.group("image"):
            raise FragmentError(f"inline image {match.group('image')!r}: put it alone")
        elif match.group("link"):
            label = match.group("ltext").replace("`", "\\`").replace("<", "\\<")
            out.append(("markup", f"`{label} <{match.group('lurl')}>`__"))
        elif match.group("strong"):
            out.append(("markup", "**" + match.group("stext") + "**"))
        elif match.group("em"):
            out.append(("markup", "*" + match.group("etext") + "*"))
        else:  # an escaped character: literal text
            out.append(("text", match.group("escape")[1]))
    out.append(("text", text[pos:]))
    # Join, escaping text and separating markup from word characters.
    result = ""
    for index, (kind, value) in enumerate(out):
        if kind == "text":
            result += _escape_text(value)
            continue
        before = result[-1] if result else None
        if not _starts_ok(before):
            result += "\\ "
        result += value
        following = next((v for k, v in out[index + 1 :] if v), "")
        first = following[0] if following else None
        if not _ends_ok(first):
            result += "\\ "
    return result


def _display_width(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


LIST_RE = re.compile(r"^(?P<marker>[-*]|\d+\.)(?P<space> +)(?P<rest>.*)$")
HEADING_RE = re.compile(r"^(?P<hashes>#{1,6}) +(?P<text>.+?) *#*$")
IMAGE_RE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]+)\)$")
FENCE_RE = re.compile(r"^```(?P<lang>[\w+-]*)$")


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def parse_blocks(lines, where):
    """Markdown lines (already dedented) into a list of blocks."""
    blocks = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if "\t" in line:
            raise FragmentError(f"{where}: tab character: {line!r}")
        if _indent(line):
            raise FragmentError(f"{where}: unexpected indentation: {line!r}")
        if line.startswith(("|", ">", "<", "    ")) or re.match(r"^(=+|-+)\s*$", line):
            raise FragmentError(
                f"{where}: tables, quotes, raw HTML, indented code and underlined "
                f"headings are not converted: {line!r}"
            )
        fence = FENCE_RE.match(line)
        if fence:
            end = i + 1
            while end < len(lines) and lines[end].rstrip() != "```":
                end += 1
            if end == len(lines):
                raise FragmentError(f"{where}: unclosed code block")
            blocks.append(("code", fence.group("lang"), lines[i + 1 : end]))
            i = end + 1
            continue
        heading = HEADING_RE.match(line)
        if heading:
            blocks.append(
                ("heading", len(heading.group("hashes")), heading.group("text"))
            )
            i += 1
            continue
        image = IMAGE_RE.match(line.strip())
        if image:
            blocks.append(("image", image.group("alt"), image.group("path")))
            i += 1
            continue
        if LIST_RE.match(line):
            i = _parse_list(lines, i, blocks, where)
            continue
        para = [line.strip()]
        i += 1
        while i < len(lines) and lines[i].strip():
            nxt = lines[i]
            if _indent(nxt) or LIST_RE.match(nxt) or HEADING_RE.match(nxt):
                raise FragmentError(
                    f"{where}: leave a blank line before a list, heading or "
                    f"indented text: {nxt!r}"
                )
            para.append(nxt.strip())
            i += 1
        blocks.append(("para", para))
    return blocks


def _parse_list(lines, i, blocks, where):
    ordered = LIST_RE.match(lines[i]).group("marker")[0].isdigit()
    items = []
    loose = False
    while i < len(lines):
        match = LIST_RE.match(lines[i])
        if not match or match.group("marker")[0].isdigit() != ordered:
            break
        width = len(match.group("marker")) + len(match.group("space"))
        body = [match.group("rest")]
        i += 1
        while i < len(lines):
            line = lines[i]
            if not line.strip():
                # A blank line: the item goes on if indented text follows.
                nxt = next((n for n in lines[i:] if n.strip()), None)
                if nxt is not None and _indent(nxt) >= width:
                    body.append("")
                    i += 1
                    continue
                break
            if _indent(line) >= width:
                body.append(line[width:])
            elif _indent(line) == 0 and not LIST_RE.match(line):
                raise FragmentError(
                    f"{where}: indent the continuation of a list item by {width}: "
                    f"{line!r}"
                )
            else:
                break
            i += 1
        item = parse_blocks(body, where)
        loose = loose or len(item) > 1
        items.append(item)
        # Blank lines between items make the list loose.
        while i < len(lines) and not lines[i].strip():
            i += 1
            if i < len(lines) and LIST_RE.match(lines[i]):
                loose = True
    blocks.append(("list", ordered, items, loose))
    return i


def _render(blocks, level):
    """reStructuredText of blocks inside a section of heading ``level``."""
    parts = []
    for block in blocks:
        kind = block[0]
        if kind == "para":
            parts.append(convert_inline("\n".join(block[1])))
        elif kind == "heading":
            depth = level + block[1] - 1
            if block[1] < 2 or depth not in UNDERLINES:
                raise FragmentError(f"heading level {block[1]}: use ## to ####")
            text = convert_inline(block[2])
            parts.append(text + "\n" + UNDERLINES[depth] * _display_width(text))
        elif kind == "image":
            path = block[2].replace("../", "")
            image = f".. image:: {path}"
            if block[1]:
                image += f"\n   :alt: {block[1]}"
            parts.append(image)
        elif kind == "code":
            body = "\n".join(
                ("   " + line) if line.strip() else "" for line in block[2]
            )
            parts.append(
                f".. code:: {block[1]}\n\n{body}".rstrip()
                if block[1]
                else f"::\n\n{body}"
            )
        elif kind == "list":
            parts.append(_render_list(block, level))
    return "\n\n".join(parts)


def _render_list(block, level):
    _kind, ordered, items, loose = block
    rendered = []
    for number, item in enumerate(items, start=1):
        marker = f"{number}. " if ordered else "- "
        text = _render(item, level)
        pad = " " * len(marker)
        lines = text.split("\n")
        rendered.append(
            marker
            + lines[0]
            + "".join("\n" + (pad + ln if ln else "") for ln in lines[1:])
        )
    return ("\n\n" if loose else "\n").join(rendered)


def markdown_to_rst(text, level, where="fragment"):
    """A fragment's Markdown as reStructuredText for a section of ``level``."""
    blocks = parse_blocks(text.splitlines(), where)
    return _render(blocks, level) + "\n"


# --------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------


def read_manifest(addon_dir):
    return ast.literal_eval((addon_dir / "__manifest__.py").read_text("utf-8"))


def source_digest(addon_dir):
    """sha256 over the manifest and the fragments (names and contents)."""
    digest = hashlib.sha256()
    files = [addon_dir / "__manifest__.py"] + sorted(
        p
        for p in (addon_dir / FRAGMENTS_DIR).rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    for path in files:
        digest.update(path.relative_to(addon_dir).as_posix().encode("utf-8"))
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def read_fragments(addon_dir):
    fragments = {}
    folder = addon_dir / FRAGMENTS_DIR
    for name in FRAGMENTS:
        if (folder / f"{name}.rst").exists():
            raise FragmentError(f"{name}.rst: write the fragments in Markdown (.md)")
        path = folder / f"{name}.md"
        if path.exists() and path.read_text("utf-8").strip():
            fragments[name] = path
    return fragments


def _badges(manifest, repo):
    badges = []
    status = manifest.get("development_status", "Beta").lower()
    if status in STATUS_BADGES:
        label, colour = STATUS_BADGES[status]
        badges.append(
            (
                "https://img.shields.io/badge/maturity-"
                + label.replace("/", "%2F")
                + f"-{colour}.png",
                "https://odoo-community.org/page/development-status",
                label,
            )
        )
    if manifest.get("license") in LICENSE_BADGES:
        badges.append(LICENSE_BADGES[manifest["license"]])
    if repo:
        org, name, branch, addon = repo
        badges.append(
            (
                "https://img.shields.io/badge/github-"
                + f"{org.replace('-', '--')}%2F{name.replace('-', '--')}"
                + "-lightgray.png?logo=github",
                f"https://github.com/{org}/{name}/tree/{branch}/{addon}",
                f"{org}/{name}",
            )
        )
    return badges, status


def _title(text, char, overline=False):
    line = char * _display_width(text)
    return f"{line}\n{text}\n{line}" if overline else f"{text}\n{line}"


def generate(addon_dir, digest=None):
    """The README.rst text of the addon in ``addon_dir``."""
    addon_dir = Path(addon_dir)
    manifest = read_manifest(addon_dir)
    fragments = read_fragments(addon_dir)
    if "DESCRIPTION" not in fragments:
        raise FragmentError(f"{addon_dir / FRAGMENTS_DIR}/DESCRIPTION.md is missing")
    branch = manifest["version"].split(".")[0] + ".0"
    github = GITHUB_RE.match(manifest.get("website", ""))
    repo = (
        (github.group(1), github.group(2), branch, addon_dir.name) if github else None
    )

    def fragment(name, level):
        where = f"{FRAGMENTS_DIR}/{name}.md"
        return markdown_to_rst(fragments[name].read_text("utf-8"), level, where)

    badges, status = _badges(manifest, repo)
    out = [
        _title(manifest["name"], "=", overline=True),
        "\n".join(
            [
                ".. ",
                "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
                "   !! This file is generated by oca-gen-addon-readme !!",
                "   !! changes will be overwritten.                   !!",
                "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
                f"   !! source digest: {digest or source_digest(addon_dir)}",
                "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
            ]
        ),
        "\n".join(
            f".. |badge{n}| image:: {image}\n    :target: {target}\n    :alt: {alt}"
            for n, (image, target, alt) in enumerate(badges, start=1)
        ),
        " ".join(f"|badge{n}|" for n in range(1, len(badges) + 1)),
        fragment("DESCRIPTION", 2).rstrip("\n"),
    ]
    if status == "alpha":
        out.append(
            ".. IMPORTANT::\n"
            "   This is an alpha version, the data model and design can change "
            "at any time without warning.\n"
            "   Only for development or testing purpose, do not use in production.\n"
            "   `More details on development status "
            "<https://odoo-community.org/page/development-status>`_"
        )
    out.append("**Table of contents**\n\n.. contents::\n   :local:")
    for name, title, level in SECTIONS:
        if name in fragments:
            out.append(_title(title, UNDERLINES[level]))
            out.append(fragment(name, level).rstrip("\n"))
    if repo:
        org, name, _branch, addon = repo
        issues = f"https://github.com/{org}/{name}/issues"
        out.append(
            _title("Bug Tracker", "=")
            + f"\n\nBugs are tracked on `GitHub Issues <{issues}>`_.\n"
            "In case of trouble, please check there if your issue has already "
            "been reported.\nIf you spotted it first, help us to smash it by "
            "providing a detailed and welcomed\n"
            f"`feedback <{issues}/new?body=module:%20{addon}%0Aversion:%20"
            f"{branch}%0A%0A**Steps%20to%20reproduce**%0A-%20...%0A%0A**Current"
            "%20behavior**%0A%0A**Expected%20behavior**>`_.\n\n"
            "Do not contact contributors directly about support or help with "
            "technical issues."
        )
    out.append(_title("Credits", "="))
    authors = [a.strip() for a in manifest.get("author", "").split(",") if a.strip()]
    if authors:
        out.append(
            _title("Authors", "-") + "\n\n" + "\n".join(f"* {a}" for a in authors)
        )
    for name, title, level in CREDIT_SECTIONS:
        if name in fragments:
            out.append(_title(title, UNDERLINES[level]))
            out.append(fragment(name, level).rstrip("\n"))
    maintainers = _title("Maintainers", "-")
    maintainers += "\n\nThis module is maintained by " + ", ".join(authors) + "."
    if repo:
        org, name, _branch, addon = repo
        maintainers += (
            f"\n\nThis module is part of the `{org}/{name} "
            f"<https://github.com/{org}/{name}/tree/{branch}/{addon}>`_ "
            "project on GitHub.\n\nYou are welcome to contribute."
        )
    out.append(maintainers)
    return "\n\n".join(out) + "\n"


def check_rst(text):
    """Problems docutils finds in ``text`` (empty without docutils)."""
    try:
        from docutils.core import publish_string
        from docutils.utils import SystemMessage
    except ImportError:
        return []
    settings = {
        "file_insertion_enabled": False,
        "raw_enabled": False,
        "halt_level": 2,
        "report_level": 2,
        "warning_stream": False,
        "output_encoding": "unicode",
        # Code blocks are checked without Pygments.
        "syntax_highlight": "none",
    }
    try:
        publish_string(text, writer_name="html4css1", settings_overrides=settings)
    except SystemMessage as exc:
        return [str(exc)]
    return []


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addon-dir", type=Path, default=REPO / "crm_relation")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if README.rst is not up to date",
    )
    args = parser.parse_args(argv)
    readme = args.addon_dir / "README.rst"
    try:
        text = generate(args.addon_dir)
    except FragmentError as exc:
        print(f"{args.addon_dir.name}: {exc}", file=sys.stderr)
        return 1
    problems = check_rst(text)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    current = readme.read_text("utf-8") if readme.exists() else ""
    if args.check:
        if current != text:
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    str(readme),
                    f"{readme} (from the readme/ fragments)",
                )
            )
            print(
                f"\n{readme} is not up to date: run python tools/gen_addon_readme.py",
                file=sys.stderr,
            )
            return 1
        return 0
    if current != text:
        readme.write_text(text, "utf-8")
        print(f"wrote {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks that every relative link in README.md and docs/ resolves.

A link to a file must name a file or folder of the repository; a link with a #fragment into a
Markdown file must name one of its headings (as GitHub turns headings into anchors) or an explicit
id/name attribute. Links to other sites (http:, https:, mailto:) are not followed. Links inside
code (fenced blocks and `inline code`) are not links and are skipped.

    python3 scripts/check-links.py [repository folder]

Prints each broken link as file:line: link: what is wrong, and exits with 1 if there is any.
Python's standard library only.
"""

import os
import re
import sys
import unicodedata
from urllib.parse import unquote

# [text](target "title"), ![alt](target), and <... href="target"> / <... src="target">.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ANCHOR = re.compile(r"""<[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.I)
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def without_inline_code(line):
    """The line with `code spans` blanked, so that what they hold is not taken for links."""
    return re.sub(r"(`+)(.+?)\1", lambda m: " " * len(m.group(0)), line)


def prose_lines(path):
    """(line number, text) of each line outside fenced code blocks."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    fence = None
    for number, line in enumerate(lines, 1):
        match = FENCE.match(line)
        if match:
            if fence is None:
                fence = match.group(1)
            elif match.group(1) == fence:
                fence = None
            continue
        if fence is None:
            yield number, line


def heading_text(markdown):
    """A heading's text as GitHub renders it: links become their text, markup is dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("`", "")
    text = text.replace("*", "")
    text = re.sub(r"(?<!\w)_+|_+(?!\w)", "", text)  # _emphasis_, not snake_case
    return text.strip()


def github_slug(text):
    """GitHub's anchor for a heading: lower case, every character that is not a letter, a digit,
    an underscore, a hyphen or a space removed, and each space made a hyphen."""
    kept = []
    for ch in text.lower():
        category = unicodedata.category(ch)
        if ch in "-_ " or category[0] in "LN" or category in ("Mn", "Mc", "Pc"):
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


_anchor_cache = {}


def anchors_of(path):
    """Every anchor a Markdown file defines: its headings' slugs (a repeated slug gets -1, -2,
    ... as on GitHub) and explicit id/name attributes."""
    if path in _anchor_cache:
        return _anchor_cache[path]
    anchors, counts = set(), {}
    for _, line in prose_lines(path):
        match = HEADING.match(line)
        if match:
            slug = github_slug(heading_text(match.group(2)))
            if slug in counts:
                counts[slug] += 1
                anchors.add(f"{slug}-{counts[slug]}")
            else:
                counts[slug] = 0
                anchors.add(slug)
        for anchor in EXPLICIT_ANCHOR.findall(line):
            anchors.add(anchor)
    _anchor_cache[path] = anchors
    return anchors


def links_in(path):
    """(line number, target) of every link in the file's prose."""
    for number, line in prose_lines(path):
        line = without_inline_code(line)
        for pattern in (INLINE_LINK, HTML_LINK):
            for target in pattern.findall(line):
                yield number, target
        match = REFERENCE_DEFINITION.match(line)
        if match:
            yield number, match.group(1)


def check(root, path):
    """The problems with the file's links, one string each."""
    problems = []
    relative = os.path.relpath(path, root)
    for number, target in links_in(path):
        if not target or EXTERNAL.match(target):
            continue
        file_part, _, fragment = target.partition("#")
        if file_part.startswith("/"):
            destination = os.path.join(root, unquote(file_part).lstrip("/"))
        elif file_part:
            destination = os.path.normpath(os.path.join(os.path.dirname(path), unquote(file_part)))
        else:
            destination = path
        where = f"{relative}:{number}: {target}"
        if not os.path.realpath(destination).startswith(os.path.realpath(root) + os.sep):
            problems.append(f"{where}: points outside the repository")
        elif not os.path.exists(destination):
            problems.append(f"{where}: no such file")
        elif fragment and destination.endswith(".md"):
            if unquote(fragment) not in anchors_of(destination):
                problems.append(f"{where}: no heading or anchor '{fragment}' in "
                                f"{os.path.relpath(destination, root)}")
    return problems


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    files = [os.path.join(root, "README.md")]
    for folder, _, names in os.walk(os.path.join(root, "docs")):
        files += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".md")]
    problems, links = [], 0
    for path in files:
        links += sum(1 for _ in links_in(path))
        problems += check(root, path)
    for problem in problems:
        print(problem)
    print(f"check-links: {len(files)} files, {links} links, {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

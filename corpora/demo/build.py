#!/usr/bin/env python3
"""Assemble the demo corpus from its sources, deterministically.

Inputs (all in this folder):
  articles/NNN-slug.wiki   one article's wikitext; its title is the first '''bold''' span
  extra-src/plain-*.txt    short articles for the plain-text reader (first line: title)
  extra-src/trec-*.txt     short articles for the TREC reader (first line: title)
  qa/questions.tsv         article number, question, answers separated by '|'

Outputs:
  demo-wiki.xml.bz2        MediaWiki export (schema 0.11) of every article, plus redirects and a project page
  extra/*.txt, extra/demo.trec
  qa/train.jsonl, qa/test.jsonl   split by article: every fourth article (number divisible by 4) is test

Standard library only. Running it twice gives byte-identical files.
"""

import bz2
import hashlib
import json
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles"
EXTRA_SRC = HERE / "extra-src"
EXTRA_OUT = HERE / "extra"
QA_DIR = HERE / "qa"

SITE_NAME = "Demopedia"
TIMESTAMP = "2024-01-01T00:00:00Z"  # fixed so the archive never changes between builds
FIRST_PAGE_ID = 1000  # page id = FIRST_PAGE_ID + article number
FIRST_REVISION_ID = 50000

# Alternative names that point at real articles; they exercise redirect skipping.
REDIRECTS = [
    ("ISS", "International Space Station"),
    ("Red Planet", "Mars"),
    ("Apollo XI", "Apollo 11"),
    ("Comet Halley", "Halley's Comet"),
    ("Bard of Avon", "William Shakespeare"),
    ("Deoxyribonucleic acid", "DNA"),
]

# Namespaces as a small English wiki declares them; only 0 holds articles.
NAMESPACES = [
    (-2, "first-letter", "Media"),
    (-1, "first-letter", "Special"),
    (0, "first-letter", ""),
    (1, "first-letter", "Talk"),
    (2, "first-letter", "User"),
    (4, "first-letter", SITE_NAME),
    (6, "first-letter", "File"),
    (10, "first-letter", "Template"),
    (14, "first-letter", "Category"),
]

PROJECT_PAGE_TITLE = f"{SITE_NAME}:About"
PROJECT_PAGE_TEXT = (
    f"'''{SITE_NAME}''' is a small encyclopedia written for demonstrating question answering. "
    "This page lives in the project namespace and is not an article, so ingestion with the default "
    "namespace filter must leave it out.\n\n"
    "== Guidelines ==\n* Keep articles short.\n* State facts that are well established.\n"
    f"[[Category:{SITE_NAME} administration]]\n"
)

TITLE_PATTERN = re.compile(r"'''(.+?)'''")
ARTICLE_NAME = re.compile(r"^(\d{3})-[a-z0-9-]+\.wiki$")


def fail(message):
    sys.exit(f"build.py: {message}")


def load_articles():
    """Returns [(number, title, wikitext)] sorted by number."""
    articles = []
    for path in sorted(ARTICLES.iterdir()):
        match = ARTICLE_NAME.match(path.name)
        if not match:
            fail(f"{path}: file name must look like NNN-slug.wiki")
        text = path.read_text(encoding="utf-8")
        title = TITLE_PATTERN.search(text)
        if not title:
            fail(f"{path}: no '''bold''' title span found")
        # MediaWiki capitalises the first letter of every title ("compact disc" -> "Compact disc").
        name = title.group(1)
        articles.append((int(match.group(1)), name[0].upper() + name[1:], text))
    numbers = [number for number, _, _ in articles]
    if len(set(numbers)) != len(numbers):
        fail("two article files share a number")
    titles = [title for _, title, _ in articles]
    if len(set(titles)) != len(titles):
        fail("two articles share a title")
    return articles


def revision_sha1(text):
    """SHA-1 of the text in base 36, padded to 31 digits, as MediaWiki writes it in dumps."""
    value = int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)
    digits = ""
    while value:
        value, rest = divmod(value, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
    return digits.rjust(31, "0")


def page_xml(title, namespace, page_id, revision_id, text, redirect=None):
    lines = [
        "  <page>",
        f"    <title>{escape(title)}</title>",
        f"    <ns>{namespace}</ns>",
        f"    <id>{page_id}</id>",
    ]
    if redirect is not None:
        lines.append(f"    <redirect title={quoteattr(redirect)} />")
    lines += [
        "    <revision>",
        f"      <id>{revision_id}</id>",
        f"      <timestamp>{TIMESTAMP}</timestamp>",
        "      <contributor>",
        "        <username>Demo editor</username>",
        "        <id>1</id>",
        "      </contributor>",
        "      <model>wikitext</model>",
        "      <format>text/x-wiki</format>",
        f'      <text bytes="{len(text.encode("utf-8"))}" xml:space="preserve">{escape(text)}</text>',
        f"      <sha1>{revision_sha1(text)}</sha1>",
        "    </revision>",
        "  </page>",
    ]
    return "\n".join(lines) + "\n"


def siteinfo_xml():
    lines = [
        "  <siteinfo>",
        f"    <sitename>{SITE_NAME}</sitename>",
        "    <dbname>demowiki</dbname>",
        "    <base>https://demo.invalid/wiki/Main_Page</base>",
        "    <generator>MediaWiki 1.41.0</generator>",
        "    <case>first-letter</case>",
        "    <namespaces>",
    ]
    for key, case, name in NAMESPACES:
        if name:
            lines.append(f'      <namespace key="{key}" case="{case}">{escape(name)}</namespace>')
        else:
            lines.append(f'      <namespace key="{key}" case="{case}" />')
    lines += ["    </namespaces>", "  </siteinfo>"]
    return "\n".join(lines) + "\n"


def build_wiki(articles):
    titles = {title for _, title, _ in articles}
    parts = [
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.mediawiki.org/xml/export-0.11/ '
        'http://www.mediawiki.org/xml/export-0.11.xsd" version="0.11" xml:lang="en">\n',
        siteinfo_xml(),
    ]
    for number, title, text in articles:
        parts.append(page_xml(title, 0, FIRST_PAGE_ID + number, FIRST_REVISION_ID + number, text))
    next_id = FIRST_PAGE_ID + 900
    for source, target in REDIRECTS:
        if target not in titles:
            fail(f"redirect {source!r} points at missing article {target!r}")
        next_id += 1
        text = f"#REDIRECT [[{target}]]\n"
        parts.append(page_xml(source, 0, next_id, FIRST_REVISION_ID + next_id, text, redirect=target))
    next_id += 1
    parts.append(page_xml(PROJECT_PAGE_TITLE, 4, next_id, FIRST_REVISION_ID + next_id, PROJECT_PAGE_TEXT))
    parts.append("</mediawiki>\n")
    xml = "".join(parts).encode("utf-8")
    (HERE / "demo-wiki.xml.bz2").write_bytes(bz2.compress(xml, compresslevel=9))
    return len(articles), len(REDIRECTS)


def load_extra(prefix):
    """Returns [(slug, title, paragraphs)] for extra-src/<prefix>-*.txt, sorted by file name."""
    records = []
    for path in sorted(EXTRA_SRC.glob(f"{prefix}-*.txt")):
        lines = path.read_text(encoding="utf-8").strip().split("\n")
        title, body = lines[0].strip(), "\n".join(lines[1:])
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]
        if not title or not paragraphs:
            fail(f"{path}: needs a title line and at least one paragraph")
        records.append((path.stem[len(prefix) + 1:], title, paragraphs))
    return records


def build_extra():
    EXTRA_OUT.mkdir(exist_ok=True)
    for old in EXTRA_OUT.iterdir():
        old.unlink()
    plain = load_extra("plain")
    for slug, title, paragraphs in plain:
        (EXTRA_OUT / f"{slug}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    trec = load_extra("trec")
    records = []
    for index, (_, title, paragraphs) in enumerate(trec, start=1):
        records.append(
            "<DOC>\n"
            f"<DOCNO>DEMO-{index:04d}</DOCNO>\n"
            f"<TITLE>{escape(title)}</TITLE>\n"
            "<TEXT>\n" + "\n".join(escape(p) for p in paragraphs) + "\n</TEXT>\n"
            "</DOC>\n"
        )
    (EXTRA_OUT / "demo.trec").write_text("".join(records), encoding="utf-8")
    return len(plain), len(trec)


def build_qa(articles):
    titles = {number: title for number, title, _ in articles}
    splits = {"train": [], "test": []}
    counters = {}
    tsv = QA_DIR / "questions.tsv"
    for line_number, line in enumerate(tsv.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            fail(f"{tsv}:{line_number}: expected 3 tab-separated fields, found {len(fields)}")
        number = int(fields[0])
        if number not in titles:
            fail(f"{tsv}:{line_number}: no article numbered {number:03d}")
        answers = [a.strip() for a in fields[2].split("|") if a.strip()]
        if not answers:
            fail(f"{tsv}:{line_number}: no answers")
        counters[number] = counters.get(number, 0) + 1
        record = {
            "id": f"demo-{number:03d}-{counters[number]}",
            "question": fields[1].strip(),
            "answers": answers,
            "title": titles[number],
        }
        splits["test" if number % 4 == 0 else "train"].append(record)
    for name, records in splits.items():
        with open(QA_DIR / f"{name}.jsonl", "w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(splits["train"]), len(splits["test"])


def main():
    articles = load_articles()
    pages, redirects = build_wiki(articles)
    plain, trec = build_extra()
    train, test = build_qa(articles)
    print(f"demo-wiki.xml.bz2: {pages} articles, {redirects} redirects, 1 project page")
    print(f"extra/: {plain} plain-text files, {trec} TREC records")
    print(f"qa/: {train} train and {test} test questions")


if __name__ == "__main__":
    main()

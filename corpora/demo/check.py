#!/usr/bin/env python3
"""Check the demo corpus and its QA set; exits non-zero listing every problem found.

Reads the built archive (demo-wiki.xml.bz2) and qa/{train,test}.jsonl, so run build.py first.
Standard library only.
"""

import bz2
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
NS = "{http://www.mediawiki.org/xml/export-0.11/}"

MIN_ARTICLES = 150
MIN_QUESTIONS = 300
MIN_WORDS, MAX_WORDS = 110, 330  # prose words per article after stripping markup
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 2, 6


def strip_nested(text, opener, closer):
    """Removes balanced opener…closer spans (templates and tables nest)."""
    out, depth, i = [], 0, 0
    while i < len(text):
        if text.startswith(opener, i):
            depth += 1
            i += len(opener)
        elif depth and text.startswith(closer, i):
            depth -= 1
            i += len(closer)
        else:
            if depth == 0:
                out.append(text[i])
            i += 1
    return "".join(out)


def plain_text(wikitext):
    """A rough wikitext-to-prose strip: enough to tell whether a fact is stated in the prose."""
    text = re.sub(r"<!--.*?-->", "", wikitext, flags=re.S)
    text = re.sub(r"<ref[^>]*/>", "", text)
    text = re.sub(r"<ref[^>]*>.*?</ref>", "", text, flags=re.S)
    text = strip_nested(text, "{{", "}}")
    text = strip_nested(text, "{|", "|}")
    text = re.sub(r"\[\[(?:Category|File|Image):[^\]]*\]\]", "", text)
    text = re.sub(r"\[\[[^\]|]*\|([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[\[([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"'{2,}", "", text)
    text = re.sub(r"^=+\s*(.*?)\s*=+\s*$", r"\1", text, flags=re.M)
    text = re.sub(r"^[*#:;]+\s*", "", text, flags=re.M)
    text = re.sub(r"<[^>]+>", "", text)
    return text


def prose_paragraphs(wikitext):
    """Paragraphs of running prose: blank-line separated blocks, minus headings and lists."""
    text = re.sub(r"<!--.*?-->", "", wikitext, flags=re.S)
    text = strip_nested(text, "{{", "}}")
    text = strip_nested(text, "{|", "|}")
    paragraphs = []
    for block in re.split(r"\n\s*\n|\n(?==)", text):
        lines = [l for l in block.split("\n") if l.strip() and not re.match(r"^(=|\*|#|\[\[Category:)", l)]
        if lines and len(" ".join(lines).split()) >= 12:
            paragraphs.append(" ".join(lines))
    return paragraphs


def load_pages(problems):
    pages, redirects, other_ns = {}, 0, 0
    with bz2.open(HERE / "demo-wiki.xml.bz2") as stream:
        root = ET.parse(stream).getroot()
    for page in root.iter(NS + "page"):
        title = page.findtext(NS + "title")
        text = page.find(f"{NS}revision/{NS}text").text or ""
        if page.findtext(NS + "ns") != "0":
            other_ns += 1
        elif page.find(NS + "redirect") is not None:
            redirects += 1
            if not text.startswith("#REDIRECT"):
                problems.append(f"redirect {title!r} lacks #REDIRECT text")
        else:
            if title in pages:
                problems.append(f"duplicate page title {title!r}")
            pages[title] = text
    if redirects == 0:
        problems.append("no redirect pages")
    if other_ns == 0:
        problems.append("no page outside the article namespace")
    return pages


def check_articles(pages, problems):
    if len(pages) < MIN_ARTICLES:
        problems.append(f"only {len(pages)} articles (need {MIN_ARTICLES})")
    word_counts = []
    for title, text in sorted(pages.items()):
        words = len(plain_text(text).split())
        word_counts.append(words)
        if not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"{title!r}: {words} prose words (want {MIN_WORDS}-{MAX_WORDS})")
        paragraphs = len(prose_paragraphs(text))
        if not MIN_PARAGRAPHS <= paragraphs <= MAX_PARAGRAPHS:
            problems.append(f"{title!r}: {paragraphs} prose paragraphs (want {MIN_PARAGRAPHS}-{MAX_PARAGRAPHS})")
        if "[[Category:" not in text:
            problems.append(f"{title!r}: no category link")
    return word_counts


def check_qa(pages, problems):
    plain = {title: plain_text(text).lower() for title, text in pages.items()}
    ids, questions, titles_by_split, per_article = set(), set(), {}, {}
    total = 0
    for split in ("train", "test"):
        titles_by_split[split] = set()
        path = HERE / "qa" / f"{split}.jsonl"
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            where = f"{path.name}:{line_number}"
            record = json.loads(line)
            total += 1
            if set(record) != {"id", "question", "answers", "title"}:
                problems.append(f"{where}: unexpected keys {sorted(record)}")
            if record["id"] in ids:
                problems.append(f"{where}: duplicate id {record['id']}")
            ids.add(record["id"])
            question = " ".join(record["question"].lower().split())
            if question in questions:
                problems.append(f"{where}: duplicate question {record['question']!r}")
            questions.add(question)
            title = record["title"]
            if title not in plain:
                problems.append(f"{where}: no article titled {title!r}")
                continue
            titles_by_split[split].add(title)
            per_article[title] = per_article.get(title, 0) + 1
            if not record["answers"]:
                problems.append(f"{where}: no answers")
            for answer in record["answers"]:
                # whole words only, so a one-letter answer such as "E" cannot match inside any word
                if not re.search(r"(?<!\w)" + re.escape(answer.lower()) + r"(?!\w)", plain[title]):
                    problems.append(f"{where}: answer {answer!r} not in the prose of {title!r}")
    if total < MIN_QUESTIONS:
        problems.append(f"only {total} questions (need {MIN_QUESTIONS})")
    overlap = titles_by_split["train"] & titles_by_split["test"]
    if overlap:
        problems.append(f"articles in both train and test: {sorted(overlap)}")
    for title in sorted(pages):
        if per_article.get(title, 0) < 2:
            problems.append(f"{title!r}: {per_article.get(title, 0)} questions (need 2)")
    return total, len(titles_by_split["train"]), len(titles_by_split["test"])


def main():
    problems = []
    pages = load_pages(problems)
    word_counts = check_articles(pages, problems)
    total, train_articles, test_articles = check_qa(pages, problems)
    print(f"{len(pages)} articles, {sum(word_counts)} prose words "
          f"(min {min(word_counts)}, max {max(word_counts)} per article)")
    print(f"{total} questions; {train_articles} train articles, {test_articles} test articles")
    for problem in problems:
        print("PROBLEM:", problem)
    if problems:
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()

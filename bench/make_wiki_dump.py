#!/usr/bin/env python3
"""Builds a large MediaWiki export from a small real one by repeating its pages.

Each repetition gives every page a new title (suffixed with the copy number) and new page and revision
ids, so readers see distinct documents. The siteinfo header and the closing tag are kept once. Writes
OUT.xml and, unless --no-bz2, OUT.xml.bz2 (compressed while writing, one stream).

    make_wiki_dump.py SOURCE(.xml|.bz2) OUT_PREFIX --megabytes 200
"""
import argparse
import bz2
import os
import re
import sys

TITLE = re.compile(r"<title>(.*?)</title>")
ID = re.compile(r"<id>(\d+)</id>")
REDIRECT = re.compile(r'<redirect title="([^"]*)"')


def read_source(path):
    with open(path, "rb") as f:
        magic = f.read(3)
    opener = bz2.open if magic == b"BZh" else open
    with opener(path, "rb") as f:
        return f.read().decode("utf-8")


def split_pages(xml):
    """(header, [page blocks], footer): pages are the <page>...</page> spans with their leading indent."""
    first = xml.index("  <page>")
    end = xml.rindex("</page>") + len("</page>\n")
    body = xml[first:end]
    pages = [p + "</page>\n" for p in body.split("</page>\n") if p.strip()]
    return xml[:first], pages, xml[end:]


def renamed(page, copy, id_offset):
    """The page as copy number `copy`: title and redirect target suffixed, every id shifted."""
    if copy == 0:
        return page
    suffix = f" ({copy})"
    page = TITLE.sub(lambda m: f"<title>{m.group(1)}{suffix}</title>", page, count=1)
    page = REDIRECT.sub(lambda m: f'<redirect title="{m.group(1)}{suffix}"', page, count=1)
    return ID.sub(lambda m: f"<id>{int(m.group(1)) + id_offset}</id>", page)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("out_prefix", help="writes OUT_PREFIX.xml and OUT_PREFIX.xml.bz2")
    parser.add_argument("--megabytes", type=float, default=200)
    parser.add_argument("--no-bz2", action="store_true")
    args = parser.parse_args()

    header, pages, footer = split_pages(read_source(args.source))
    max_id = max(int(i) for i in ID.findall("".join(pages)))
    target = int(args.megabytes * 1e6)
    xml_path = args.out_prefix + ".xml"
    bz2_path = xml_path + ".bz2"
    written = 0
    page_count = 0
    compressor = None if args.no_bz2 else bz2.BZ2Compressor(9)
    with open(xml_path, "wb") as xml_out, open(os.devnull if args.no_bz2 else bz2_path, "wb") as bz_out:
        def emit(text):
            nonlocal written
            data = text.encode("utf-8")
            xml_out.write(data)
            if compressor:
                bz_out.write(compressor.compress(data))
            written += len(data)

        emit(header)
        copy = 0
        while written < target:
            emit("".join(renamed(p, copy, copy * (max_id + 1)) for p in pages))
            page_count += len(pages)
            copy += 1
        emit(footer)
        if compressor:
            bz_out.write(compressor.flush())
    print(f'{{"xml":"{xml_path}","bytes":{written},"pages":{page_count},"copies":{copy}}}')


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Ingestion throughput, side by side in one run: WikiExtractor (PyPI wikiextractor, 2 processes) and
# `quarry ingest` (fresh database, FTS5 index included) on one MediaWiki dump built from the real enwiki
# sample in ../shared/data (pages repeated with new ids and titles), as .xml and as .bz2.
# Prints a table on stderr and one JSON line on stdout.
#   bench/ingest.sh [MEGABYTES]      (default 200)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
megabytes="${1:-200}"
sample="$root/../shared/data/mediawiki-xml/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
work="$here/work"
venv="$here/.venv"

[ -f "$sample" ] || { echo "ingest bench: the enwiki sample is missing: $sample" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
    apt-get install -y time >&2 || { echo "ingest bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
fi
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import wikiextractor" 2>/dev/null || "$venv/bin/pip" install --quiet "wikiextractor>=3,<4" >&2

(cd "$root" && swift build -c release --product quarry >&2)
quarry="$(cd "$root" && swift build -c release --show-bin-path)/quarry"

mkdir -p "$work"
dump="$work/enwiki-repeated-${megabytes}mb"
if [ ! -f "$dump.xml.bz2" ] || [ ! -f "$dump.xml" ]; then
    echo "building $dump.xml and .xml.bz2 from the enwiki sample…" >&2
    python3 "$here/make_wiki_dump.py" "$sample" "$dump" --megabytes "$megabytes" >&2
fi
echo "wikiextractor $("$venv/bin/pip" show wikiextractor | sed -n 's/^Version: //p'), $(nproc) cores" >&2
exec "$venv/bin/python" "$here/ingest.py" --quarry "$quarry" --python "$venv/bin/python" \
    --xml "$dump.xml" --bz2 "$dump.xml.bz2" --work "$work"

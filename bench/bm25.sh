#!/usr/bin/env bash
# BM25 quality and speed, side by side in one run: `quarry search`'s FTS5 BM25 (through quarry-bench, which
# calls the same store method in one process) and bm25s (PyPI) on the same passages: SQuAD v1.1 dev
# paragraphs plus SQuADShifts reddit/amazon and COVID-QA distractors, ingested by `quarry ingest` as JSONL
# and read back from the store. Questions: SQuAD dev. Top-k answer accuracy and queries/s for both.
# Prints a table on stderr and one JSON line on stdout.
#   bench/bm25.sh [QUESTIONS]      (default: all 10,570; SHARED_DATA and QUARRY_BIN override where data and binaries are)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
questions="${1:-0}"
data="${SHARED_DATA:-$root/../shared/data}"   # SHARED_DATA overrides it (a worktree elsewhere)
work="$here/work/bm25"
venv="$here/.venv"

[ -d "$data/squad-dev-v1.1" ] || { echo "bm25 bench: SQuAD dev is missing under $data" >&2; exit 1; }
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -c "import bm25s" 2>/dev/null || "$venv/bin/pip" install --quiet bm25s >&2

if [ -n "${QUARRY_BIN:-}" ]; then   # QUARRY_BIN: a folder with quarry and quarry-bench already built (another commit)
    bin="$QUARRY_BIN"
else
    (cd "$root" && swift build -c release --product quarry >&2 && swift build -c release --product quarry-bench >&2)
    bin="$(cd "$root" && swift build -c release --show-bin-path)"
fi

mkdir -p "$work"
python3 "$here/bm25_corpus.py" "$data" "$work" --questions "$questions" >&2
db="$work/passages.sqlite"
rm -f "$db" "$db-wal" "$db-shm"
"$bin/quarry" ingest "$work/corpus.jsonl" --format jsonl --db "$db" --quiet >&2
exec "$venv/bin/python" "$here/bm25.py" --quarry-bench "$bin/quarry-bench" --db "$db" \
    --questions "$work/questions.jsonl" --work "$work" --k 20

#!/usr/bin/env bash
# Cranfield with its relevance judgements (../shared/data/trec-xml): Quarry's BM25, untrained dense
# (all-MiniLM-L6-v2, when models/ has it) and hybrid, scored by `quarry eval --qrels` and, from the run files
# that command writes, by trec_eval's own code (pytrec_eval; the two must agree), next to a reference BM25
# over whole documents (bm25s). A correctness check and a first figure, not a speed benchmark.
# Prints one JSON line per ranking on stdout and a table on stderr.
#   bench/cranfield.sh      (SHARED_DATA, QUARRY_BIN, SWIFT_BUILD_FLAGS as in the other scripts)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
data="${SHARED_DATA:-$root/../shared/data}/trec-xml"
work="$here/work/cranfield"
venv="$here/.venv"
model="$root/models/all-MiniLM-L6-v2"

[ -f "$data/cran.all.1400.xml" ] || { echo "cranfield bench: Cranfield is missing under $data" >&2; exit 1; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import pytrec_eval, bm25s" 2>/dev/null || "$venv/bin/pip" install --quiet pytrec-eval-terrier bm25s >&2
if [ -n "${QUARRY_BIN:-}" ]; then
    bin="$QUARRY_BIN"
else
    (cd "$root" && swift build -c release ${SWIFT_BUILD_FLAGS:-} --product quarry >&2)
    bin="$(cd "$root" && swift build -c release ${SWIFT_BUILD_FLAGS:-} --show-bin-path)"
fi

mkdir -p "$work"
db="$work/cran.sqlite"
rm -rf "$db" "$db-wal" "$db-shm" "$db.caches"
"$bin/quarry" ingest "$data/cran.all.1400.xml" --format trec --db "$db" --quiet >&2
retrievers="bm25"
if [ -f "$model/model.safetensors" ]; then
    "$bin/quarry" embed --db "$db" --model "$model" --quiet >&2
    retrievers="bm25 dense hybrid"
fi
results="$work/results.jsonl"
: > "$results"
for r in $retrievers; do
    "$bin/quarry" eval --db "$db" --qrels "$data/cranqrel.trec.txt" --queries "$data/cran.qry.xml" --renumber-queries \
        --retriever "$r" --k 10,100 --run "$work/$r.run" --json --quiet > "$work/$r.json"
    "$venv/bin/python" "$here/trec_eval_check.py" "$data/cranqrel.trec.txt" "$work/$r.run" --quarry-json "$work/$r.json" \
        --name "quarry $r" >> "$results"
done
(cd "$here" && "$venv/bin/python" cranfield_bm25s.py "$data/cran.all.1400.xml" "$data/cran.qry.xml" "$work/bm25s.run")
"$venv/bin/python" "$here/trec_eval_check.py" "$data/cranqrel.trec.txt" "$work/bm25s.run" --name "bm25s, whole documents" >> "$results"
"$venv/bin/python" - "$results" >&2 <<'PY'
import json, sys
print(f"{'ranking':<24} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>8} {'R@100':>8}  trec_eval vs quarry")
for line in open(sys.argv[1]):
    r = json.loads(line)
    check = f"max |diff| {r['largest_difference']:.1e}" if "largest_difference" in r else "(reference)"
    print(f"{r['name']:<24} {r['ndcg_10']:8.4f} {r['mrr_10']:8.4f} {r['recall_10']:8.4f} {r['recall_100']:8.4f}  {check}")
PY
cat "$results"

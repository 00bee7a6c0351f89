#!/usr/bin/env bash
# The negatives strategies of `quarry train retriever` side by side, each with the same budget (steps,
# batch, sampled negatives, learning rate, passage length) on the same corpus and held-out questions,
# next to the two baselines every run is measured against: BM25 on the same store and the untrained
# encoder (every run's evaluation at step 0). Data: SQuAD v1.1 dev paragraphs plus SQuADShifts and
# COVID-QA distractors from ../shared/data, questions split by article (scripts/prepare-retriever-experiment.py).
# Runs one strategy after the other so their wall times are comparable; the first embeds the corpus and
# the others reuse that cache (ledger: "initial cache"). Prints the comparison on stderr and one JSON line
# on stdout.
#   bench/train.sh [--quick] [--steps N] [--strategies "corrected stale refresh:R ..."]
# Full (the default, EXPERIMENTS.md Part 1): 30 articles + distractors (14,004 passages), 200 steps of
# batch 4, every strategy but exact (it re-embeds the corpus each step: hours). --quick: 4 articles, no
# distractors, 20 steps, corrected, stale and refresh only: a few minutes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
data="${SHARED_DATA:-$root/../shared/data}"   # SHARED_DATA overrides it (a worktree elsewhere)

quick=0 steps="" strategies=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --steps) steps="$2"; shift ;;
        --strategies) strategies="$2"; shift ;;
        *) echo "train bench: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if [ "$quick" = 1 ]; then
    work="$here/work/train-quick"
    prepare=(--articles 4 --test-every 4 --max-test 60 --no-distractors)
    steps="${steps:-20}" eval_every=10 warmup=2
    strategies="${strategies:-corrected stale refresh:10}"
else
    work="$here/work/train"
    prepare=(--articles 30 --test-every 10 --max-test 300)
    steps="${steps:-200}" eval_every=100 warmup=20
    strategies="${strategies:-corrected stale refresh:100 in-batch bm25}"
fi

[ -d "$data/squad-dev-v1.1" ] || { echo "train bench: SQuAD dev is missing under $data" >&2; exit 1; }
[ -d "$root/models/all-MiniLM-L6-v2" ] || { echo "train bench: run scripts/fetch-model first" >&2; exit 1; }
(cd "$root" && swift build -c release --product quarry >&2)
quarry="$(cd "$root" && swift build -c release --show-bin-path)/quarry"

mkdir -p "$work"
python3 "$root/scripts/prepare-retriever-experiment.py" --shared "$data" --out "$work" "${prepare[@]}" >&2
db="$work/corpus.sqlite"
rm -rf "$db" "$db-wal" "$db-shm" "$db.retrievers" "$work/wall-seconds.txt"
inputs=("$work/squad-paragraphs.jsonl")
[ -s "$work/distractors.jsonl" ] && inputs+=("$work/distractors.jsonl")   # empty in --quick mode
"$quarry" ingest --db "$db" --passage-words 100 --quiet "${inputs[@]}" >&2
python3 "$root/scripts/bm25-accuracy.py" "$db" "$work/test.jsonl" > "$work/bm25.json"

for strategy in $strategies; do
    start=$(date +%s.%N)
    "$quarry" train retriever --db "$db" --model "$root/models/all-MiniLM-L6-v2" \
        --qa "$work/train.jsonl" --eval-qa "$work/test.jsonl" --negatives "$strategy" \
        --steps "$steps" --batch 4 --samples 4 --max-passage-tokens 64 --lr 1e-4 --warmup "$warmup" \
        --eval-every "$eval_every" --checkpoint-every 0 >&2
    echo "${strategy/:/-} $(echo "$(date +%s.%N) - $start" | bc)" >> "$work/wall-seconds.txt"
done

runs=()
for strategy in $strategies; do runs+=("$db.retrievers/${strategy/:/-}"); done
python3 "$root/scripts/summarize-retriever-runs.py" "${runs[@]}" >&2
exec python3 "$here/train_report.py" --bm25 "$work/bm25.json" --wall "$work/wall-seconds.txt" "${runs[@]}"

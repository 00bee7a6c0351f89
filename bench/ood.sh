#!/usr/bin/env bash
# Does training the retriever pay out of the encoder's home ground? On each out-of-domain set (COVID-QA,
# SQuADShifts Reddit and Amazon reviews from ../shared/data), its contexts are one store; its questions are
# split train/test (by article, or by paragraph for a set with too few articles: the command says which);
# BM25 and the untrained encoder are evaluated on the test side; then each strategy trains on the train side
# (one run after another, so wall times compare) and is evaluated through its served cache, alone and fused
# with BM25. Every evaluation writes per-question results, so bench/ood_report.py pairs strategies question
# by question (bootstrap 95% intervals). Runs resume: a killed bench run started again skips what is done.
#   bench/ood.sh [--quick] [--sets "covid reddit amazon"] [--steps N] [--seeds "1 2 3"] [--strategies "..."]
# Full: 500 steps of batch 8, strategies corrected, stale (three seeds each), refresh:100 and refresh:250,
# in-batch, bm25 (seed 1), fidelity on 200 test questions at every evaluation (every 100 steps).
# --quick: COVID-QA only, 20 steps, corrected and stale, one seed: a few minutes on a quiet machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
data="${SHARED_DATA:-$root/../shared/data}"

quick=0 sets="" steps="" seeds="" strategies=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --sets) sets="$2"; shift ;;
        --steps) steps="$2"; shift ;;
        --seeds) seeds="$2"; shift ;;
        --strategies) strategies="$2"; shift ;;
        *) echo "ood bench: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if [ "$quick" = 1 ]; then
    work="$here/work/ood-quick"
    sets="${sets:-covid}" steps="${steps:-20}" seeds="${seeds:-1}" eval_every=10 fidelity=50
    strategies="${strategies:-corrected stale}"
else
    work="$here/work/ood"
    sets="${sets:-covid reddit amazon}" steps="${steps:-500}" seeds="${seeds:-1 2 3}" eval_every=100 fidelity=200
    strategies="${strategies:-corrected stale refresh:100 refresh:250 in-batch bm25}"
fi
# Strategies compared over several seeds; the others run seed 1 only.
seeded="corrected stale"

[ -d "$root/models/all-MiniLM-L6-v2" ] || { echo "ood bench: run scripts/fetch-model first" >&2; exit 1; }
(cd "$root" && swift build -c release --product quarry >&2)
quarry="$(cd "$root" && swift build -c release --show-bin-path)/quarry"
model="$root/models/all-MiniLM-L6-v2"
declare -A qa_file=([covid]="covid-qa/200423_covidQA.json.gz" [reddit]="squadshifts/reddit_v1.0.json.gz"
                    [amazon]="squadshifts/amazon_reviews_v1.0.json.gz")
split=(--test-share 0.3)

evaluate() {  # evaluate SET RETRIEVER: figures and per-question results, made once
    local set="$1" name="${2//:/-}"
    [ -s "$work/$set/eval-$name.json" ] && return
    "$quarry" eval --db "$work/$set/store.sqlite" --qa "$data/${qa_file[$set]}" --split test "${split[@]}" \
        --retriever "$2" --reader none --k 1,5,20,100 --json --out "$work/$set/eval-$name.jsonl" > "$work/$set/eval-$name.part"
    mv "$work/$set/eval-$name.part" "$work/$set/eval-$name.json"
}

for set in $sets; do
    mkdir -p "$work/$set"
    db="$work/$set/store.sqlite"
    if [ ! -s "$db" ]; then
        QUARRY_SHARED_DATA="$data" python3 "$here/ood_corpus.py" "$set" "$work/$set/corpus.jsonl"
        "$quarry" ingest "$work/$set/corpus.jsonl" --format jsonl --db "$db.part" --quiet
        mv "$db.part" "$db"
    fi
    "$quarry" embed --db "$db" --model "$model" --quiet
    evaluate "$set" bm25
    evaluate "$set" dense
    for strategy in $strategies; do
        for seed in $seeds; do
            case " $seeded " in *" $strategy "*) ;; *) [ "$seed" = 1 ] || continue ;; esac
            name="${strategy/:/-}-s$seed"
            if [ ! -s "$db.retrievers/$name/summary.json" ]; then
                start=$(date +%s)
                "$quarry" train retriever --db "$db" --model "$model" --qa "$data/${qa_file[$set]}" --split train \
                    --eval-qa "$data/${qa_file[$set]}" --eval-split test "${split[@]}" --negatives "$strategy" \
                    --steps "$steps" --eval-every "$eval_every" --fidelity-questions "$fidelity" --seed "$seed" \
                    --name "$name" --resume >&2
                echo "$name $(( $(date +%s) - start ))" >> "$work/$set/wall-seconds.txt"
            fi
            evaluate "$set" "$name"
            evaluate "$set" "hybrid:$name"
        done
    done
done
python3 "$here/ood_report.py" "$work" $sets

#!/usr/bin/env bash
# Encoding throughput, side by side: sentence-transformers (PyTorch CPU) and Quarry's BertEncoder on the same
# ~100-word SQuAD dev passages, the same token ids and 2 threads. Quarry also reports the worst cosine between
# its embeddings and the PyTorch ones.
#   bench/encode-throughput.sh [PASSAGES]      (default 512)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
count="${1:-512}"
model="${QUARRY_MODEL:-$root/models/all-MiniLM-L6-v2}"
squad="$(ls "$root"/../shared/data/squad-dev-v1.1/*.json.gz | head -1)"
work="$root/bench/work"

if [ ! -x "$root/bench/.venv/bin/python" ]; then
    python3 -m venv "$root/bench/.venv"
    "$root/bench/.venv/bin/pip" install --quiet sentence-transformers
fi
OMP_NUM_THREADS=2 "$root/bench/.venv/bin/python" "$root/bench/encode_sentence_transformers.py" \
    "$squad" "$model" "$work" "$count"

cd "$root"
swift build -c release -Xswiftc -enable-testing --build-tests >/dev/null
QUARRY_BENCH=1 QUARRY_BENCH_THREADS=2 QUARRY_BENCH_PASSAGES="$work/passages.jsonl" \
    swift test -c release -Xswiftc -enable-testing --skip-build --filter EncoderThroughputTests 2>&1 \
    | grep -E "^encode|worst cosine|error"

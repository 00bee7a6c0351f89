#!/usr/bin/env bash
# Passage encoding, Quarry's all-MiniLM-L6-v2 against sentence-transformers (PyTorch CPU), in one run on
# the same real passages and the same number of threads. Makes bench/.venv (torch, sentence-transformers)
# once, writes 1,000 SQuAD-dev paragraphs cut to 100 words under bench/work/ once, builds quarry-bench and
# quarry in release, then prints passages/s of Quarry fp32 (OpenBLAS and oneDNN) and bf16 and of PyTorch
# fp32 and bf16, their ratios, and each one's cosines with PyTorch fp32.
# Usage: bench/encode.sh [--passages N] [--words W] [--threads T] [--batch B]
#        SWIFT_BUILD_FLAGS="-Xswiftc -enable-testing" bench/encode.sh   (reuse the tests' release build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv"
if ! "$venv/bin/python" -c "import sentence_transformers" 2>/dev/null; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet torch sentence-transformers
fi
# SWIFT_BUILD_FLAGS (e.g. "-Xswiftc -enable-testing") reuses a release build made for the tests.
(cd "$root" && swift build -c release ${SWIFT_BUILD_FLAGS:-} --product quarry-bench >&2 \
    && swift build -c release ${SWIFT_BUILD_FLAGS:-} --product quarry >&2)
bin="$(cd "$root" && swift build -c release --show-bin-path)"
mkdir -p "$here/work"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec "$venv/bin/python" "$here/encode.py" --work "$here/work" --bin "$bin" \
    --model "$root/models/all-MiniLM-L6-v2" --squad "$root/../shared/data/squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz" "$@"

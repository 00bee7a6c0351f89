#!/usr/bin/env bash
# Exact inner-product search, Quarry's FlatInnerProductIndex against faiss-cpu IndexFlatIP, in one run.
# Makes bench/.venv (faiss-cpu, numpy) once, random unit vectors once under bench/work/, builds
# quarry-bench in release, then prints a table of queries/s and checks that the top-10 ids agree.
# Usage: bench/search.sh [N ...]   (default: 100000 1000000)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv"
if ! "$venv/bin/python" -c "import faiss, numpy" 2>/dev/null; then  # the venv may exist without faiss
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet faiss-cpu numpy
fi
(cd "$root" && swift build -c release --product quarry-bench >&2)
bench_bin="$(cd "$root" && swift build -c release --show-bin-path)/quarry-bench"
mkdir -p "$here/work"
exec "$venv/bin/python" "$here/search.py" --work "$here/work" --quarry "$bench_bin" "$@"

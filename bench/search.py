"""Side-by-side exact search benchmark: faiss-cpu IndexFlatIP against Quarry's FlatInnerProductIndex.

Both search the same random unit vectors (generated once, float32 row-major files in the work folder)
with the same queries; Quarry runs as a subprocess over the memory-mapped file. Prints queries/s for
single queries and batches of 64, the ratio, Quarry's peak resident memory, and whether top-10 ids agree.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import faiss
import numpy as np

DIM = 384
K = 10
QUERY_POOL = 1024


def unit_vectors(path, rows, seed):
    """Writes `rows` random unit vectors to `path` once (in chunks, so 1M rows never sit in memory twice)."""
    if os.path.exists(path) and os.path.getsize(path) == rows * DIM * 4:
        return
    rng = np.random.default_rng(seed)
    tmp = path + ".partial"
    with open(tmp, "wb") as out:
        for start in range(0, rows, 100_000):
            block = rng.standard_normal((min(100_000, rows - start), DIM), dtype=np.float32)
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            out.write(block.tobytes())
    os.replace(tmp, path)


def faiss_run(base, queries, batch, count):
    index = faiss.IndexFlatIP(DIM)
    index.add(base)
    index.search(queries[:1], K)  # warm-up, as Quarry does
    ids = []
    start = time.perf_counter()
    for q0 in range(0, count, batch):
        _, found = index.search(queries[q0:q0 + batch], K)
        ids.append(found)
    seconds = time.perf_counter() - start
    return count / seconds, np.concatenate(ids).astype(np.int64)


def quarry_run(binary, base_path, query_path, batch, count, work):
    ids_path = os.path.join(work, "quarry-ids.i32")
    out = subprocess.run(
        [binary, "search", base_path, query_path, "--dim", str(DIM), "--batch", str(batch),
         "--queries", str(count), "--k", str(K), "--ids", ids_path],
        check=True, capture_output=True, text=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    ids = np.fromfile(ids_path, dtype=np.int32).reshape(count, K).astype(np.int64)
    return figures, ids


def compare(base, queries, faiss_ids, quarry_ids):
    """Rows whose top-10 differ; a difference only counts against Quarry if its scores are not tied."""
    differing = np.nonzero((faiss_ids != quarry_ids).any(axis=1))[0]
    real = 0
    for q in differing:
        a = base[faiss_ids[q]] @ queries[q]
        b = base[quarry_ids[q]] @ queries[q]
        if np.abs(np.sort(a)[::-1] - np.sort(b)[::-1]).max() > 1e-5:
            real += 1
    return len(differing), real


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--quarry", required=True)
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000, 1_000_000])
    args = parser.parse_args()

    query_path = os.path.join(args.work, f"queries-{QUERY_POOL}x{DIM}.f32")
    unit_vectors(query_path, QUERY_POOL, seed=2)
    queries = np.fromfile(query_path, dtype=np.float32).reshape(QUERY_POOL, DIM)
    print(f"faiss {faiss.__version__}, omp threads {faiss.omp_get_max_threads()}, dim {DIM}, k {K}")
    header = f"{'N':>9} {'batch':>5} {'queries':>7} {'faiss q/s':>10} {'quarry q/s':>10} {'ratio':>6} {'quarry RSS MiB':>14} {'top-10 ids':>16}"
    print(header)
    print("-" * len(header))
    ok = True
    for n in args.sizes:
        base_path = os.path.join(args.work, f"base-{n}x{DIM}.f32")
        unit_vectors(base_path, n, seed=1)
        base = np.memmap(base_path, dtype=np.float32, mode="r", shape=(n, DIM))
        for batch in (1, 64):
            # Enough queries for about a second or more of work at either size.
            count = (256 if n <= 100_000 else 32) if batch == 1 else (512 if n <= 100_000 else 128)
            f_qps, f_ids = faiss_run(base, queries, batch, count)
            q_fig, q_ids = quarry_run(args.quarry, base_path, query_path, batch, count, args.work)
            differing, real = compare(base, queries, f_ids, q_ids)
            agree = "identical" if differing == 0 else f"{differing} differ ({real} real)"
            ok = ok and real == 0
            ratio = q_fig["qps"] / f_qps
            print(f"{n:>9} {batch:>5} {count:>7} {f_qps:>10.1f} {q_fig['qps']:>10.1f} {ratio:>6.2f} "
                  f"{q_fig['peak_rss_mib']:>14.0f} {agree:>16}", flush=True)
        del base
    faiss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"faiss process peak RSS: {faiss_peak:.0f} MiB")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

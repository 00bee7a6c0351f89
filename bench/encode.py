"""Times Quarry's encoder (quarry-bench encode in fp32 on OpenBLAS and on oneDNN, and in bf16; `quarry encode`
end to end) and sentence-transformers in fp32 and bf16 on the same passages with the same threads and batch,
and compares their embeddings row by row with PyTorch fp32's. Run by encode.sh."""
import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np


def passages_file(work, squad, count, words):
    """The first `count` SQuAD-dev paragraphs cut to `words` words, one JSON string per line (made once)."""
    path = os.path.join(work, f"squad-dev-{count}x{words}.jsonl")
    if not os.path.exists(path):
        with gzip.open(squad, "rt", encoding="utf-8") as f:
            data = json.load(f)
        texts = []
        for article in data["data"]:
            for paragraph in article["paragraphs"]:
                texts.append(" ".join(paragraph["context"].split()[:words]))
        if len(texts) < count:
            sys.exit(f"{squad}: only {len(texts)} paragraphs, {count} asked for")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            for text in texts[:count]:
                f.write(json.dumps(text) + "\n")
        os.replace(path + ".tmp", path)
    with open(path, encoding="utf-8") as f:
        return path, [json.loads(line) for line in f]


def threads_env(args):
    """OpenBLAS and oneDNN (OpenMP) held to the benchmark's threads."""
    return dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))


def run_quarry(args, path, count, precision, library="oneDNN"):
    out = os.path.join(args.work, f"quarry-embeddings-{precision}-{library}.f32")
    result = subprocess.run(
        [os.path.join(args.bin, "quarry-bench"), "encode", path, "--model", args.model,
         "--batch", str(args.batch), "--threads", str(args.threads), "--out", out,
         "--precision", precision, "--fp32-library", library],
        check=True, capture_output=True, text=True, env=threads_env(args))
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return figures, np.fromfile(out, dtype=np.float32).reshape(count, -1)


def run_quarry_cli(args, path):
    """`quarry encode` from stdin to stdout at its default precision, model loading and JSON included."""
    start = time.perf_counter()
    with open(path, "rb") as stdin:
        result = subprocess.run([os.path.join(args.bin, "quarry"), "encode", "--model", args.model,
                                 "--batch", str(args.batch)], stdin=stdin, capture_output=True, check=True,
                                env=threads_env(args))
    seconds = time.perf_counter() - start
    rows = [json.loads(line)["embedding"] for line in result.stdout.decode().splitlines()]
    return seconds, np.array(rows, dtype=np.float32)


def run_torch(args, texts, precision):
    import torch
    from sentence_transformers import SentenceTransformer
    torch.set_num_threads(args.threads)
    model = SentenceTransformer(args.model, device="cpu")
    if precision == "bf16":
        model.to(torch.bfloat16)
    model.encode(texts[: args.batch], batch_size=args.batch)  # warm-up
    start = time.perf_counter()
    rows = model.encode(texts, batch_size=args.batch, convert_to_tensor=True)
    seconds = time.perf_counter() - start
    return seconds, rows.float().numpy(), torch.__version__


def cosines(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--squad", required=True)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--words", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()

    path, texts = passages_file(args.work, args.squad, args.passages, args.words)
    n = len(texts)
    quarry = {}
    for name, precision, library in [("fp32 on OpenBLAS", "fp32", "openBLAS"), ("fp32", "fp32", "oneDNN"),
                                     ("bf16", "bf16", "oneDNN")]:
        quarry[name] = run_quarry(args, path, n, precision, library)
    cli_seconds, cli_rows = run_quarry_cli(args, path)
    torch_runs = {precision: run_torch(args, texts, precision) for precision in ("fp32", "bf16")}
    torch_version = torch_runs["fp32"][2]
    reference = torch_runs["fp32"][1]

    load = os.getloadavg()
    mean_tokens = quarry["fp32"][0]["mean_tokens"]
    print(f"passages: {n} SQuAD-dev paragraphs cut to {args.words} words "
          f"(mean {mean_tokens:.1f} tokens), batch {args.batch}, {args.threads} threads")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'implementation':<44} {'seconds':>8} {'passages/s':>11} {'min cos':>10} {'mean cos':>10}  (cosines vs PyTorch fp32)")

    def row(label, seconds, rows):
        cos = cosines(rows, reference)
        print(f"{label:<44} {seconds:>8.2f} {n / seconds:>11.1f} {cos.min():>10.6f} {cos.mean():>10.6f}")

    for name, (figures, rows) in quarry.items():
        row(f"quarry-bench encode {name}", figures["seconds"], rows)
    row("quarry encode (CLI default, load + JSON)", cli_seconds, cli_rows)
    for precision, (seconds, rows, _) in torch_runs.items():
        row(f"sentence-transformers {precision}, torch {torch_version}", seconds, rows)

    def rate(name):
        return quarry[name][0]["passages_per_second"]

    torch_rate = {precision: n / seconds for precision, (seconds, _, _) in torch_runs.items()}
    print(f"ratio quarry fp32 / pytorch fp32: {rate('fp32') / torch_rate['fp32']:.2f}x (target 1.5x; "
          f"on OpenBLAS {rate('fp32 on OpenBLAS') / torch_rate['fp32']:.2f}x)")
    print(f"ratio quarry bf16 / pytorch bf16: {rate('bf16') / torch_rate['bf16']:.2f}x (target 1.2x)")
    print(f"ratio quarry CLI / pytorch fp32: {n / cli_seconds / torch_rate['fp32']:.2f}x")


if __name__ == "__main__":
    main()

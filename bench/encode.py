"""Times Quarry's encoder (quarry-bench encode, and `quarry encode` end to end) and sentence-transformers on
the same passages with the same threads, and compares their embeddings row by row. Run by encode.sh."""
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


def run_quarry(args, path, count):
    out = os.path.join(args.work, "quarry-embeddings.f32")
    result = subprocess.run(
        [os.path.join(args.bin, "quarry-bench"), "encode", path, "--model", args.model,
         "--batch", str(args.batch), "--threads", str(args.threads), "--out", out],
        check=True, capture_output=True, text=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return figures, np.fromfile(out, dtype=np.float32).reshape(count, -1)


def run_quarry_cli(args, path):
    """`quarry encode` from stdin to stdout, model loading and JSON included."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
    start = time.perf_counter()
    with open(path, "rb") as stdin:
        result = subprocess.run([os.path.join(args.bin, "quarry"), "encode", "--model", args.model,
                                 "--batch", str(args.batch)], stdin=stdin, capture_output=True, check=True, env=env)
    seconds = time.perf_counter() - start
    rows = [json.loads(line)["embedding"] for line in result.stdout.decode().splitlines()]
    return seconds, np.array(rows, dtype=np.float32)


def run_torch(args, texts):
    import torch
    from sentence_transformers import SentenceTransformer
    torch.set_num_threads(args.threads)
    model = SentenceTransformer(args.model, device="cpu")
    model.encode(texts[: args.batch], batch_size=args.batch)  # warm-up
    start = time.perf_counter()
    rows = model.encode(texts, batch_size=args.batch, convert_to_numpy=True)
    seconds = time.perf_counter() - start
    return seconds, rows.astype(np.float32), torch.__version__


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
    quarry, quarry_rows = run_quarry(args, path, len(texts))
    cli_seconds, cli_rows = run_quarry_cli(args, path)
    torch_seconds, torch_rows, torch_version = run_torch(args, texts)

    torch_rate = len(texts) / torch_seconds
    quarry_rate = quarry["passages_per_second"]
    cos = cosines(quarry_rows, torch_rows)
    cli_cos = cosines(cli_rows, torch_rows)
    load = os.getloadavg()
    print(f"passages: {len(texts)} SQuAD-dev paragraphs cut to {args.words} words "
          f"(mean {quarry['mean_tokens']:.1f} tokens), batch {args.batch}, {args.threads} threads")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'implementation':<40} {'seconds':>8} {'passages/s':>11}")
    print(f"{'quarry-bench encode (encoder only)':<40} {quarry['seconds']:>8.2f} {quarry_rate:>11.1f}")
    print(f"{'quarry encode (CLI, load + JSON)':<40} {cli_seconds:>8.2f} {len(texts) / cli_seconds:>11.1f}")
    print(f"{'sentence-transformers, torch ' + torch_version:<40} {torch_seconds:>8.2f} {torch_rate:>11.1f}")
    print(f"ratio quarry / pytorch: {quarry_rate / torch_rate:.2f}x (CLI end to end: {len(texts) / cli_seconds / torch_rate:.2f}x)")
    print(f"cosine quarry vs pytorch: min {cos.min():.7f}, max {cos.max():.7f}, mean {cos.mean():.7f}; "
          f"CLI rows min {cli_cos.min():.7f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The report of bench/ood.sh: per set, BM25, the untrained encoder and every trained retriever (served and
fused with BM25) on the test side, with paired bootstrap intervals and each run's re-embedding ledger.

    ood_report.py WORK SET...

Reads WORK/SET/eval-*.json (figures) and eval-*.jsonl (per question: `first_hit_rank`), and each run's
summary.json and ledger.json. A strategy with several seeds is scored per question as the mean over its seeds,
so the intervals pair questions, not runs. Intervals: 2,000 bootstrap resamples of the test questions, 95%
percentile interval of the difference in top-k accuracy (points). Prints markdown on stderr, JSON on stdout.
"""
import glob, json, os, random, re, sys

KS = (1, 5, 20, 100)


def hits(path):
    """question id -> 0-based rank of the first passage holding an answer (None: not in the top 100)."""
    with open(path) as f:
        return {o["id"]: o.get("first_hit_rank") for o in map(json.loads, f)}


def accuracy_vectors(rank_maps, ids, k):
    """Per question, the share of runs that answered within k."""
    return [sum(1 for m in rank_maps if m.get(i) is not None and m[i] < k) / len(rank_maps) for i in ids]


def bootstrap(a, b, rounds=2000, seed=7):
    rng = random.Random(seed)
    n = len(a)
    diffs = []
    for _ in range(rounds):
        idx = [rng.randrange(n) for _ in range(n)]
        diffs.append(100 * sum(a[i] - b[i] for i in idx) / n)
    diffs.sort()
    return 100 * sum(x - y for x, y in zip(a, b)) / n, diffs[int(0.025 * rounds)], diffs[int(0.975 * rounds) - 1]


def strategy_of(run):
    """A trained run's strategy (its name without the seed); `bm25` negatives are named apart from BM25 itself."""
    strategy = re.sub(r"-s\d+$", "", run)
    return "bm25-negatives" if strategy == "bm25" else strategy


def report_set(work, set_name, out):
    folder = os.path.join(work, set_name)
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, "eval-*.jsonl"))):
        runs[os.path.basename(path)[5:-6]] = hits(path)
    if "bm25" not in runs:
        return None
    ids = sorted(runs["bm25"])
    groups = {}
    for name, m in runs.items():
        if name in ("bm25", "dense"):
            groups[name] = [m]
        else:
            key = ("hybrid-" if name.startswith("hybrid-") else "") + strategy_of(name.removeprefix("hybrid-"))
            groups.setdefault(key, []).append(m)
    table = {}
    for key, maps in groups.items():
        table[key] = {k: 100 * sum(accuracy_vectors(maps, ids, k)) / len(ids) for k in KS}
    ledgers = {}
    store = os.path.join(folder, "store.sqlite.retrievers")
    for run in sorted(os.listdir(store)) if os.path.isdir(store) else []:
        try:
            entries = json.load(open(os.path.join(store, run, "ledger.json")))["entries"]
            summary = json.load(open(os.path.join(store, run, "summary.json")))
        except FileNotFoundError:
            continue
        passes = {e["purpose"]: e["passes"] for e in entries}
        ledgers[run] = {"reembedded": passes.get("refresh", 0), "steps": summary["steps"],
                        "sampling_top_k": (summary.get("samplingCacheEvaluation") or {}).get("topK", {})}
    comparisons = []
    for base in ("stale", "bm25") + tuple(k for k in groups if k.startswith("refresh")):
        if base not in groups:
            continue
        for key in groups:
            # Dense runs against dense baselines; everything (hybrids too) against BM25.
            if key in (base, "bm25") or (base != "bm25" and key.startswith("hybrid-")):
                continue
            row = {"strategy": key, "against": base}
            for k in (1, 20):
                mean, low, high = bootstrap(accuracy_vectors(groups[key], ids, k), accuracy_vectors(groups[base], ids, k))
                row[f"top{k}"] = [round(mean, 2), round(low, 2), round(high, 2)]
            comparisons.append(row)
    print(f"\n### {set_name}: {len(ids)} test questions (top-k answer accuracy, %; seeds averaged per question)", file=out)
    print("| retriever | runs | top-1 | top-5 | top-20 | top-100 | top-20 of each run |", file=out)
    print("|---|---|---|---|---|---|---|", file=out)
    for key in sorted(table, key=lambda k: (k.startswith("hybrid"), k)):
        cells = " | ".join(f"{table[key][k]:.1f}" for k in KS)
        # The spread over seeds, beside the per-question mean the intervals use.
        each = ", ".join(f"{100 * sum(accuracy_vectors([m], ids, 20)) / len(ids):.1f}" for m in groups[key])
        print(f"| {key} | {len(groups[key])} | {cells} | {each} |", file=out)
    print("\n| strategy − baseline | top-1 (95% CI) | top-20 (95% CI) |", file=out)
    print("|---|---|---|", file=out)
    for c in comparisons:
        f = lambda v: f"{v[0]:+.1f} [{v[1]:+.1f}, {v[2]:+.1f}]"
        print(f"| {c['strategy']} − {c['against']} | {f(c['top1'])} | {f(c['top20'])} |", file=out)
    print("\n| run | steps | passages re-embedded | top-20 through its sampling cache |", file=out)
    print("|---|---|---|---|", file=out)
    for run, l in ledgers.items():
        print(f"| {run} | {l['steps']} | {l['reembedded']:,} | {l['sampling_top_k'].get('20', float('nan')):.1f} |", file=out)
    return {"questions": len(ids), "table": table, "comparisons": comparisons, "ledgers": ledgers}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    work = sys.argv[1]
    result = {s: report_set(work, s, sys.stderr) for s in sys.argv[2:]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()

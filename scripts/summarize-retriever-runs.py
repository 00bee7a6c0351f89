#!/usr/bin/env python3
"""Prints a Markdown table comparing finished `quarry train retriever` runs from their summary.json files.

usage: summarize-retriever-runs.py RUN_FOLDER...
"""
import json, os, sys


def pct(record, k):
    return f"{record['topK'][str(k)]:.1f}" if record else "–"


def main(folders):
    print("| run | top-1 | top-5 | top-20 | top-100 | fresh top-1 / top-20 | re-embedded | all passes | "
          "‖g′−g‖² | ‖h(g′)−g‖² | probe overlap stale / corrected | s/step | sampling share |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for folder in folders:
        s = json.load(open(os.path.join(folder, "summary.json")))
        e, f, fid, t = s["finalEvaluation"], s.get("freshEvaluation"), s.get("finalFidelity") or {}, s["meanStepTimings"]
        share = (t["scoring"] + t["sampling"] + t["corrector"]) / t["total"] * 100
        stale_err = s.get("finalStaleSquaredError")
        corr_err = s.get("finalCorrectedSquaredError")
        overlap = f"{fid.get('staleOverlap', 0):.3f}" + (f" / {fid['correctedOverlap']:.3f}" if fid.get("correctedOverlap") is not None else "")
        print(f"| {os.path.basename(folder.rstrip('/'))} ({s['strategy']}, {s['steps']} steps) | {pct(e, 1)} | {pct(e, 5)} | {pct(e, 20)} | "
              f"{pct(e, 100)} | {pct(f, 1)} / {pct(f, 20)} | {s['reembeddedPassages']} | {s['encoderPasses']} | "
              f"{'–' if stale_err is None else f'{stale_err:.4f}'} | {'–' if corr_err is None else f'{corr_err:.4f}'} | "
              f"{overlap} | {t['total']:.2f} | {share:.2f}% |")


if __name__ == "__main__":
    main(sys.argv[1:])

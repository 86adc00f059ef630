#!/usr/bin/env python3
"""Template-level clustering scores of predicted templates against ctip's truth.

    score.py TRUTH_JSONL PREDICTED_JSONL [PREDICTED_JSONL ...]

Truth: one cluster per `template` value of truth.jsonl (e.g. "net-00042-t2");
every benign ad (template null) is its own singleton.
Predicted: lines {"id": ..., "template": ...}; ads sharing a template string are
one cluster. An ad of the truth missing from the predictions is a singleton
(the count is reported).

Prints, per predicted file: adjusted Rand index (Hubert & Arabie), pairwise
precision = pairs predicted together that are truly together / pairs predicted
together, pairwise recall = the same / pairs truly together, and F1. Standard
library only; if scikit-learn is importable its adjusted_rand_score is printed
beside ours as a check.
"""
import json
import sys
from collections import Counter


def pairs(n):
    return n * (n - 1) // 2


def load_truth(path):
    truth = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            i = str(r["id"])
            t = r.get("template")
            truth[i] = ("T", t) if t is not None else ("S", i)
    return truth


def load_pred(path, truth):
    pred, extra = {}, 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            i = str(r["id"])
            if i not in truth:
                extra += 1
                continue
            t = r.get("template")
            pred[i] = ("P", str(t)) if t is not None else ("S", i)
    missing = 0
    for i in truth:
        if i not in pred:
            pred[i] = ("S", i)
            missing += 1
    return pred, missing, extra


def scores(truth, pred):
    ids = list(truth)
    n = len(ids)
    a = Counter(truth[i] for i in ids)
    b = Counter(pred[i] for i in ids)
    cells = Counter((truth[i], pred[i]) for i in ids)
    together_both = sum(pairs(c) for c in cells.values())
    together_truth = sum(pairs(c) for c in a.values())
    together_pred = sum(pairs(c) for c in b.values())
    total = pairs(n)
    expected = together_truth * together_pred / total if total else 0.0
    max_index = (together_truth + together_pred) / 2
    ari = (together_both - expected) / (max_index - expected) if max_index != expected else 1.0
    p = together_both / together_pred if together_pred else 0.0
    r = together_both / together_truth if together_truth else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "ads": n,
        "truth_clusters_ge2": sum(1 for c in a.values() if c >= 2),
        "pred_clusters_ge2": sum(1 for c in b.values() if c >= 2),
        "pred_ads_in_clusters": sum(c for c in b.values() if c >= 2),
        "pairs_truth": together_truth,
        "pairs_pred": together_pred,
        "pairs_both": together_both,
        "ari": ari,
        "precision": p,
        "recall": r,
        "f1": f1,
    }


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    truth = load_truth(sys.argv[1])
    try:
        import warnings
        warnings.filterwarnings("ignore", category=UserWarning)
        from sklearn.metrics import adjusted_rand_score
    except ImportError:
        adjusted_rand_score = None
    for path in sys.argv[2:]:
        pred, missing, extra = load_pred(path, truth)
        s = scores(truth, pred)
        print(f"== {path}")
        print(f"ads {s['ads']} (missing from predictions: {missing}, not in truth: {extra})")
        print(f"truth clusters (>=2 ads) {s['truth_clusters_ge2']}, predicted clusters (>=2 ads) "
              f"{s['pred_clusters_ge2']} covering {s['pred_ads_in_clusters']} ads")
        print(f"pairs: truly together {s['pairs_truth']}, predicted together {s['pairs_pred']}, both {s['pairs_both']}")
        print(f"ARI {s['ari']:.4f}  pairwise precision {s['precision']:.4f}  recall {s['recall']:.4f}  F1 {s['f1']:.4f}")
        if adjusted_rand_score is not None:
            ids = list(truth)
            enc = {}
            t = [enc.setdefault(truth[i], len(enc)) for i in ids]
            enc = {}
            p = [enc.setdefault(pred[i], len(enc)) for i in ids]
            print(f"sklearn adjusted_rand_score {adjusted_rand_score(t, p):.4f} (check)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

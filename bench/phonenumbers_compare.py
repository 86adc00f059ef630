#!/usr/bin/env python3
"""Phone extraction with Python `phonenumbers` (PhoneNumberMatcher), scored
exactly as `ctip eval synth` scores ctip: per ad, the multiset of E.164
numbers found against the multiset planted, micro-averaged over the corpus,
and again restricted to ads whose planted phones are all obfuscated.

Usage: phonenumbers_compare.py ADS.jsonl TRUTH.jsonl
"""
import json
import sys
import time
from collections import Counter

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher


def ad_text(ad):
    title, body = ad.get("title") or "", ad.get("body") or ""
    if title and body:
        return title + "\n" + body
    return title or body


def score(counts, want, got):
    remaining = Counter(want)
    for g in got:
        if remaining[g] > 0:
            remaining[g] -= 1
            counts["tp"] += 1
        else:
            counts["fp"] += 1
    counts["fn"] += sum(remaining.values())


def rates(c):
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main(ads_path, truth_path):
    everything, obfuscated = Counter(), Counter()
    ads = 0
    matcher_seconds = 0.0
    with open(ads_path, encoding="utf-8") as ads_file, open(truth_path, encoding="utf-8") as truth_file:
        for ad_line, truth_line in zip(ads_file, truth_file):
            ad, truth = json.loads(ad_line), json.loads(truth_line)
            assert ad["id"] == truth["id"], (ad["id"], truth["id"])
            region = (ad.get("country") or "US").upper()
            text = ad_text(ad)
            started = time.perf_counter()
            got = [
                phonenumbers.format_number(m.number, PhoneNumberFormat.E164)
                for m in PhoneNumberMatcher(text, region, leniency=Leniency.VALID)
            ]
            matcher_seconds += time.perf_counter() - started
            planted = [p for p in truth["planted"] if p["kind"] == "phone"]
            want = [p["value"] for p in planted]
            score(everything, want, got)
            if planted and all(p["obfuscation"] != "plain" for p in planted):
                score(obfuscated, want, got)
            ads += 1
    print(f"python phonenumbers {phonenumbers.__version__} PhoneNumberMatcher (Leniency.VALID), {ads} ads")
    print(f"{'kind':<22} {'tp':>8} {'fp':>8} {'fn':>8} {'precision':>9} {'recall':>7} {'f1':>6}")
    for name, c in (("phone", everything), ("phone (obfuscated ads)", obfuscated)):
        p, r, f = rates(c)
        print(f"{name:<22} {c['tp']:>8} {c['fp']:>8} {c['fn']:>8} {p:>9.4f} {r:>7.4f} {f:>6.4f}")
    print(f"matcher time {matcher_seconds:.2f} s: {ads / matcher_seconds:.0f} ads/s on 1 thread")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

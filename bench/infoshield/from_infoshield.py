#!/usr/bin/env python3
"""Convert InfoShield's output into one JSON line per ad: {"id", "template"}.

    from_infoshield.py ADS_JSONL WORKDIR OUT_JSONL [--coarse OUT_COARSE_JSONL]

Reads, in WORKDIR (the folder InfoShield ran in):
  - template_table.csv written by InfoShield-fine: columns `LSH Label`,
    `Template #`, `ID`. An ad listed there gets template "is-<LSH>-t<#>".
  - input_full_LSH_labels.csv written by InfoShield-coarse: columns `id`,
    `text`, `LSH label` (-1 = not clustered). Used only for --coarse, where
    an ad gets "lsh-<label>".
Every ad of ADS_JSONL that InfoShield leaves unclustered (coarse label -1,
or in a coarse cluster but in none of its fine templates, or dropped by
InfoShield for having no text) gets its own singleton "single-<id>".
Ads are written in the order of ADS_JSONL. OUT_JSONL "-" skips the fine
output (for a run of InfoShield-coarse alone).
"""
import csv
import json
import os
import sys

csv.field_size_limit(1 << 30)


def read_ids(path):
    ids = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                ids.append(str(json.loads(line)["id"]))
    return ids


def label_str(v):
    # pandas may have written an integer column as "3" or "3.0"
    try:
        f = float(v)
        if f.is_integer():
            return str(int(f))
    except ValueError:
        pass
    return str(v)


def write(ids, labels, out, what):
    n_single = 0
    with open(out, "w", encoding="utf-8") as f:
        for i in ids:
            t = labels.get(i)
            if t is None:
                t = f"single-{i}"
                n_single += 1
            f.write(json.dumps({"id": i, "template": t}) + "\n")
    clusters = len(set(labels.values()))
    print(f"from_infoshield {what}: {len(ids)} ads, {clusters} clusters of >= 2 ads "
          f"covering {len(ids) - n_single} ads, {n_single} singletons -> {out}", file=sys.stderr)


def main() -> int:
    args = sys.argv[1:]
    coarse_out = None
    if "--coarse" in args:
        k = args.index("--coarse")
        coarse_out = args[k + 1]
        del args[k:k + 2]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    ads, work, out = args
    ids = read_ids(ads)
    known = set(ids)

    if out != "-":
        fine = {}
        table = os.path.join(work, "template_table.csv")
        with open(table, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                i = str(row["ID"])
                if i not in known:
                    raise SystemExit(f"{table}: unknown ad id {i!r}")
                if i in fine:
                    raise SystemExit(f"{table}: ad {i} in two templates")
                fine[i] = f"is-{label_str(row['LSH Label'])}-t{label_str(row['Template #'])}"
        write(ids, fine, out, "fine")

    if coarse_out:
        coarse = {}
        full = os.path.join(work, "input_full_LSH_labels.csv")
        with open(full, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                lab = label_str(row["LSH label"])
                if lab != "-1":
                    coarse[str(row["id"])] = f"lsh-{lab}"
        write(ids, coarse, coarse_out, "coarse")
    return 0


if __name__ == "__main__":
    sys.exit(main())

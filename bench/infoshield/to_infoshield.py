#!/usr/bin/env python3
"""Convert ctip's ads.jsonl into InfoShield's input CSV.

    to_infoshield.py ADS_JSONL OUT_CSV

Writes two columns, `id` and `text`, where text = title + "\\n" + body.
These are the header names InfoShield detects by itself (see
InfoShieldCoarse.determine_header_names), so it can be called with the file
name alone. Fields are quoted by the csv module, and rows end in a bare "\\n"
because InfoShield-coarse reads with pandas' lineterminator='\\n' (a "\\r"
would end up inside the text).
"""
import csv
import json
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = sys.argv[1], sys.argv[2]
    n = 0
    with open(src, encoding="utf-8") as fin, open(dst, "w", encoding="utf-8", newline="") as fout:
        w = csv.writer(fout, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writerow(["id", "text"])
        for line in fin:
            line = line.strip()
            if not line:
                continue
            ad = json.loads(line)
            title = ad.get("title") or ""
            body = ad.get("body") or ""
            text = (title + "\n" + body).replace("\r\n", "\n").replace("\r", "\n")
            w.writerow([ad["id"], text])
            n += 1
    print(f"to_infoshield: {n} ads -> {dst}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

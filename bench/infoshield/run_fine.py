#!/usr/bin/env python3
"""Run InfoShield-fine from an unmodified InfoShield checkout, with one guard.

    run_fine.py INFOSHIELD_DIR COARSE_LABELS_CSV

Does what `python infoshieldfine.py COARSE_LABELS_CSV` does (reads columns
`id` and `text` and `LSH label`, writes template_table.csv,
compression_rate.csv and results/ in the current folder), except:

1. Guard for a crash in InfoShield's slot_identify (infoshieldfine.py, commit
   f5b8052): it can decide to put a slot at position k == the template's node
   count (words left over after the template's last node), then runs
   `template.nodedict[k].slot = True` and dies with `KeyError: <k>` (seen on
   ctip's 10,000-ad corpus, seed 7). While slot_identify runs, the template's
   node table here answers a missing key with a detached node that is thrown
   away, so that one slot is dropped and the run goes on; the slot's cost
   bookkeeping, done by InfoShield just before that line, is left as it is.
   InfoShield-Incremental (catvajiac/InfoShield-Incremental, by one of the
   authors) guards the same line with try/except and also drops the slot.
   How often the guard fired is printed at the end.
2. jobs=None (InfoShield's own sequential path) instead of the default
   joblib n_jobs=-2, so the guard also holds on machines with more than two
   cores, where joblib would start worker processes that import InfoShield
   afresh. On a 2-core machine n_jobs=-2 means one job, which joblib also
   runs sequentially in-process, so nothing changes there.
No InfoShield code is copied here: its modules are imported from the checkout.
"""
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    infoshield_dir, labels_csv = sys.argv[1], sys.argv[2]
    sys.path.insert(0, infoshield_dir)
    import infoshieldfine
    import poagraph

    fired = []

    class SlotSafeNodes(dict):
        def __missing__(self, key):
            fired.append((key, len(self)))
            return poagraph.Node(key)  # not stored: the slot is dropped

    original = infoshieldfine.slot_identify

    def slot_identify(pads, gid_arr, gid, template):
        plain = template.nodedict
        template.nodedict = SlotSafeNodes(plain)
        try:
            return original(pads, gid_arr, gid, template)
        finally:
            template.nodedict = dict(template.nodedict)

    infoshieldfine.slot_identify = slot_identify
    infoshieldfine.run_infoshieldfine(labels_csv, "id", "text", jobs=None)
    print(f"run_fine: slot guard fired {len(fired)} time(s)"
          + (": (key, template nodes) " + ", ".join(map(str, fired[:20])) if fired else ""),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

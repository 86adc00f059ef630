#!/usr/bin/env bash
# Peer benchmark: InfoShield (Lee et al., ICDE 2021; coarse then fine template
# clustering) on ctip's synthetic corpus, scored against the planted templates
# by score.py and by `ctip eval networks`. See README.md in this folder.
#   bench/infoshield/run.sh [ADS] [SEED]      (defaults: 10000 7)
# Environment:
#   INFOSHIELD_DIR   InfoShield checkout (default ~/.cache/ctip/InfoShield)
#   INFOSHIELD_VENV  virtualenv for its dependencies (default ~/.cache/ctip/infoshield-venv)
#   CARGO_TARGET_DIR (default ~/.cache/ctip/target)
#   KEEP=1           keep the work folder (corpus, InfoShield outputs, predictions)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ads=${1:-10000}
seed=${2:-7}

INFOSHIELD_DIR=${INFOSHIELD_DIR:-$HOME/.cache/ctip/InfoShield}
if [ ! -f "$INFOSHIELD_DIR/infoshieldcoarse.py" ] || [ ! -f "$INFOSHIELD_DIR/infoshieldfine.py" ]; then
  cat >&2 <<MSG
run.sh: no InfoShield checkout at $INFOSHIELD_DIR
Get it (outside the ctip tree) with:
  git clone https://github.com/mengchillee/InfoShield "$INFOSHIELD_DIR"
or point INFOSHIELD_DIR at an existing checkout. Tested at commit f5b8052.
MSG
  exit 1
fi
INFOSHIELD_DIR=$(cd "$INFOSHIELD_DIR" && pwd)
if rev=$(git -C "$INFOSHIELD_DIR" rev-parse --short HEAD 2>/dev/null); then
  echo "== InfoShield $INFOSHIELD_DIR at $rev"
fi

venv=${INFOSHIELD_VENV:-$HOME/.cache/ctip/infoshield-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
py="$venv/bin/python"
echo "== $("$py" --version), numpy $("$py" -c 'import numpy; print(numpy.__version__)')"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ctip/target}"
(cd "$root" && cargo build --release --quiet -p ctip)
ctip="$CARGO_TARGET_DIR/release/ctip"

# No dot in the folder name: InfoShield derives its output names with
# filename.split('.')[0]; it is run inside $work on a relative file name.
work=$(mktemp -d /tmp/infoshield-bench-XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then
  trap 'echo "== work folder kept: $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
  echo "== work folder $work (removed at exit; KEEP=1 keeps it)"
fi

"$ctip" synth --ads "$ads" --seed "$seed" --out "$work"
"$py" "$here/to_infoshield.py" "$work/ads.jsonl" "$work/input.csv"

# The file name alone, not `input.csv id text`: with the three-argument form
# InfoShieldCoarse adds the text header to its set of id headers and picks one
# with set.pop(), so the id column could silently become `text`.
export PYTHONHASHSEED=0
echo "== InfoShield-coarse"
(cd "$work" && /usr/bin/time -f "infoshield-coarse: wall %e s, peak %M KB" -o "$work/time_coarse.txt" \
   "$py" "$INFOSHIELD_DIR/infoshieldcoarse.py" input.csv) 2>&1 | tee "$work/coarse.log"
cat "$work/time_coarse.txt"
# InfoShield-fine through run_fine.py: the same function as infoshieldfine.py,
# with a guard for its slot_identify KeyError (see run_fine.py and README.md).
echo "== InfoShield-fine"
(cd "$work" && /usr/bin/time -f "infoshield-fine: wall %e s, peak %M KB" -o "$work/time_fine.txt" \
   "$py" "$here/run_fine.py" "$INFOSHIELD_DIR" input_LSH_labels.csv) 2>&1 | tee "$work/fine.log"
cat "$work/time_coarse.txt" "$work/time_fine.txt"

"$py" "$here/from_infoshield.py" "$work/ads.jsonl" "$work" "$work/infoshield.jsonl" \
  --coarse "$work/infoshield_coarse.jsonl"

echo "== score.py (template level; benign ads are singletons)"
"$py" "$here/score.py" "$work/truth.jsonl" "$work/infoshield.jsonl" "$work/infoshield_coarse.jsonl"

# ctip on the same corpus in the same run, timed the same way (its own
# timings line splits extraction, clustering+linking and templates).
echo "== ctip eval networks (InfoShield-fine as --predicted)"
/usr/bin/time -f "ctip: wall %e s, peak %M KB" -o "$work/time_ctip.txt" \
  "$ctip" eval networks --input "$work/ads.jsonl" --truth "$work/truth.jsonl" \
  --predicted "$work/infoshield.jsonl"
echo "== ctip eval networks (InfoShield-coarse as --predicted)"
"$ctip" eval networks --input "$work/ads.jsonl" --truth "$work/truth.jsonl" \
  --predicted "$work/infoshield_coarse.jsonl" | tail -4
cat "$work/time_coarse.txt" "$work/time_fine.txt" "$work/time_ctip.txt"

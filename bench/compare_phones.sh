#!/usr/bin/env bash
# Phone extraction, ctip against Python phonenumbers' PhoneNumberMatcher, on
# the same synthetic corpus in the same run. Installs phonenumbers from PyPI
# into a virtualenv under ~/.cache/ctip (outside the project tree).
#   bench/compare_phones.sh [ADS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
ads=${1:-20000}
seed=${2:-11}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ctip/target}"
venv="$HOME/.cache/ctip/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check phonenumbers
cargo build --release --quiet -p ctip
ctip="$CARGO_TARGET_DIR/release/ctip"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$ctip" synth --ads "$ads" --seed "$seed" --out "$work"
echo "== ctip"
/usr/bin/time -f "ctip eval wall %e s, peak %M KB" "$ctip" eval synth "$work"
echo "== python phonenumbers"
"$venv/bin/python" bench/phonenumbers_compare.py "$work/ads.jsonl" "$work/truth.jsonl"

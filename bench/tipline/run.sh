#!/usr/bin/env bash
# Load test of the tip line (issue 4 §5): one release server on loopback,
# driven first by tip_load (varied reports, N concurrent reporters, receipts
# kept and checked afterwards), then by wrk posting one fixed report.
#
# Usage: bench/tipline/run.sh            (100 reporters, 30 s each)
#        CONCURRENCY=50 DURATION=10 bench/tipline/run.sh
#        SKIP_BUILD=1 to reuse the binaries already built.
# The load generators run on the same machine as the server and compete
# with it for the CPU: on a 2-core box the figures are a lower bound.
set -euo pipefail
source "$(dirname "$0")/common.sh"

CONCURRENCY=${CONCURRENCY:-100}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}

[ -n "${SKIP_BUILD:-}" ] || build
if ! command -v wrk >/dev/null; then
    echo "== installing wrk (Debian package)"
    apt-get install -y wrk >/dev/null || echo "wrk could not be installed: the peer run is skipped"
fi

setup_site
trap 'stop_server; rm -rf "$WORK"' EXIT
start_server 127.0.0.1:0
echo "== machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "== tip_load: $CONCURRENCY reporters, ${DURATION} s"
cpu_before=$(cpu_seconds "$SERVER_PID")
"$TIP_LOAD" --url "$SERVER_URL" --concurrency "$CONCURRENCY" --duration "$DURATION" \
    --warmup "$WARMUP" --receipts "$WORK/receipts.txt"
cpu_after=$(cpu_seconds "$SERVER_PID")
echo "  server CPU during the run: $(awk -v a="$cpu_before" -v b="$cpu_after" -v d="$DURATION" 'BEGIN { printf "%.1f s (%.2f cores)", b - a, (b - a) / d }')"

echo
echo "== check-receipts on the $(wc -l <"$WORK/receipts.txt") receipts tip_load was given"
check_receipts "$WORK/receipts.txt"

if command -v wrk >/dev/null; then
    echo
    echo "== wrk: $CONCURRENCY connections, 2 threads, ${DURATION} s, one fixed report"
    "$TIP_LOAD" --write-wrk-script "$WORK/post_report.lua" --seed 1
    before=$(reports_stored)
    cpu_before=$(cpu_seconds "$SERVER_PID")
    wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" --timeout 10s --latency \
        -s "$WORK/post_report.lua" "$SERVER_URL/report"
    cpu_after=$(cpu_seconds "$SERVER_PID")
    after=$(reports_stored)
    echo "  reports stored during the wrk run: $((after - before))"
    echo "  server CPU during the run: $(awk -v a="$cpu_before" -v b="$cpu_after" -v d="$DURATION" 'BEGIN { printf "%.1f s (%.2f cores)", b - a, (b - a) / d }')"
fi

echo
echo "== database: $(du -h "$WORK/ctip.tipline.sqlite" | cut -f1), $(reports_stored) reports"

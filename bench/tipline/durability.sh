#!/usr/bin/env bash
# Crash durability of the tip line (issue 4 §5): tip_load submits for
# DURATION seconds; after KILL_AT seconds the server gets SIGKILL, stays down
# for DOWN seconds, and is restarted on the same database and port while the
# load generator keeps going (its connection errors in between are
# expected). Then every receipt the load generator was shown must be present
# and decryptable (`ctip serve check-receipts`); the script fails otherwise.
#
# Usage: bench/tipline/durability.sh   (100 reporters, 20 s, kill at 8 s)
#        SKIP_BUILD=1 to reuse the binaries already built.
set -euo pipefail
source "$(dirname "$0")/common.sh"

CONCURRENCY=${CONCURRENCY:-100}
DURATION=${DURATION:-20}
KILL_AT=${KILL_AT:-8}
DOWN=${DOWN:-1}

[ -n "${SKIP_BUILD:-}" ] || build
setup_site
LOAD_PID=""
trap '[ -z "$LOAD_PID" ] || kill "$LOAD_PID" 2>/dev/null; stop_server; rm -rf "$WORK"' EXIT
start_server 127.0.0.1:0
LISTEN=${SERVER_URL#http://}

echo "== tip_load: $CONCURRENCY reporters for ${DURATION} s; kill -9 at ${KILL_AT} s, down ${DOWN} s"
"$TIP_LOAD" --url "$SERVER_URL" --concurrency "$CONCURRENCY" --duration "$DURATION" \
    --warmup 0 --progress --receipts "$WORK/receipts.txt" &
LOAD_PID=$!

sleep "$KILL_AT"
receipts_at_kill=$(wc -l <"$WORK/receipts.txt")
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
echo "== kill -9 sent to the server (pid $SERVER_PID) with $receipts_at_kill receipts given so far"
SERVER_PID=""
sleep "$DOWN"
start_server "$LISTEN"
echo "== restarted on the same database and port"

wait "$LOAD_PID" || true
LOAD_PID=""
stop_server

receipts=$(wc -l <"$WORK/receipts.txt")
stored=$(reports_stored)
echo
echo "== receipts given: $receipts; reports in the database: $stored"
echo "   (reports committed whose receipt page was cut off by the kill are stored without a receipt anyone saw)"
if check_receipts "$WORK/receipts.txt"; then
    echo "== PASS: every receipt issued before and after the kill leads to a decryptable report"
else
    echo "== FAIL: some receipts do not lead to a decryptable report" >&2
    exit 1
fi

# Shared by run.sh and durability.sh: build, set up a fresh organisation in a
# temporary folder, start and stop `ctip serve` in release mode.
# Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ctip/target}
CTIP="$CARGO_TARGET_DIR/release/ctip"
TIP_LOAD="$CARGO_TARGET_DIR/release/examples/tip_load"
# The administrator's password for the throwaway organisation.
export BENCH_PASSWORD="bench tip line passphrase"
SERVER_PID=""
SERVER_URL=""

build() {
    echo "== building ctip and tip_load (release)"
    (cd "$ROOT" && cargo build --release -p ctip && cargo build --release -p ctip-server --example tip_load)
}

# A fresh organisation with an administrator "admin" in $WORK.
setup_site() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/ctip-tipline-bench.XXXXXX")
    SITE_ARGS=(serve --store "$WORK/ctip.sqlite" --receipt-key "$WORK/receipt.key")
    CTIP_PASSWORD="$BENCH_PASSWORD" "$CTIP" "${SITE_ARGS[@]}" init --org "Bench NGO" --admin admin >/dev/null
    "$CTIP" "${SITE_ARGS[@]}" directory import-demo >/dev/null
    echo "== site in $WORK (SQLite, WAL, synchronous=FULL)"
}

# start_server LISTEN: starts the server in the background and waits for its
# "listening on" line. Sets SERVER_PID and SERVER_URL.
start_server() {
    local listen=$1 out="$WORK/server-stdout.$RANDOM"
    # Rate limit off: every reporter shares 127.0.0.1.
    "$CTIP" "${SITE_ARGS[@]}" --listen "$listen" --tips-per-hour 0 >"$out" 2>>"$WORK/server.log" &
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        if grep -q "listening on" "$out" 2>/dev/null; then
            SERVER_URL=$(sed -n 's/^ctip serve: listening on //p' "$out")
            echo "== server pid $SERVER_PID at $SERVER_URL"
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "server exited; log:" >&2
            cat "$WORK/server.log" >&2
            return 1
        fi
        sleep 0.05
    done
    echo "server did not start" >&2
    return 1
}

stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        # The server shuts down gracefully on SIGINT (ctrl-c).
        kill -INT "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

# CPU seconds (user + system) a process has used so far.
cpu_seconds() {
    local pid=$1 ticks
    ticks=$(getconf CLK_TCK)
    awk -v t="$ticks" '{ printf "%.1f", ($14 + $15) / t }' "/proc/$pid/stat" 2>/dev/null || echo "?"
}

# check_receipts FILE: every receipt must be present and decryptable.
check_receipts() {
    CTIP_ADMIN_PASSWORD="$BENCH_PASSWORD" "$CTIP" "${SITE_ARGS[@]}" check-receipts --by admin "$1"
}

reports_stored() {
    if command -v sqlite3 >/dev/null; then
        sqlite3 "$WORK/ctip.tipline.sqlite" "SELECT count(*) FROM tips;"
    else
        echo "?"
    fi
}

#!/usr/bin/env bash
# Load test of the daemon's HTTP endpoints with 1,000 monitored accounts, on loopback.
#
#   bash benches/load_api.sh
#   ACCOUNTS=200 DURATION=5 bash benches/load_api.sh
#
# What it does: builds the release binaries (echoscope, and the generator's `gen`); generates
# ACCOUNTS Twitter archives of POSTS_PER_ACCOUNT posts each (`gen --scenario mixed --format
# twitter-archive`, one zip per account); writes a config watching each zip as a `file:` source (poll interval one
# day, so no poll disturbs the measurement); starts `echoscope serve` on a free 127.0.0.1 port;
# waits until every account has status "ok" and a score; times one request at a time to each
# endpoint (curl, median of 5); then runs wrk (DURATION seconds,
# THREADS threads, CONNECTIONS connections, --latency) against /healthz (a floor), /metrics,
# /api/v1/accounts and /api/v1/accounts/{name} (the names in rotation, via a Lua script), prints
# requests/s and latency percentiles, and stops the daemon with SIGTERM (it must exit 0).
#
# Needs wrk (Debian/Ubuntu: apt-get install wrk), curl and jq. Every wait is bounded; all
# traffic stays on 127.0.0.1. KEEP=1 keeps the temporary folder (config, store, daemon log).
set -euo pipefail

cd "$(dirname "$0")/.."
ACCOUNTS="${ACCOUNTS:-1000}"
POSTS_PER_ACCOUNT="${POSTS_PER_ACCOUNT:-200}"
DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-8}"
READY_TIMEOUT="${READY_TIMEOUT:-240}"
KEEP="${KEEP:-}"

for tool in wrk curl jq; do
    if ! command -v "$tool" >/dev/null; then
        echo "load_api: $tool not found; install it (Debian/Ubuntu: apt-get install $tool)" >&2
        exit 2
    fi
done

work="$(mktemp -d)"
daemon_pid=""
cleanup() {
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        sleep 2
        kill -KILL "$daemon_pid" 2>/dev/null || true
    fi
    if [ -n "$KEEP" ]; then
        echo "load_api: kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

now() { date +%s.%N; }
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cargo build --release --quiet
cargo build --release --quiet -p echoscope-synth --bin gen
bin="$PWD/target/release/echoscope"
gen="$PWD/target/release/gen"
clk_tck="$(getconf CLK_TCK)"

# --- data and config --------------------------------------------------------------------
t0=$(now)
"$gen" --scenario mixed --seed 1 --accounts "$ACCOUNTS" \
    --posts "$((ACCOUNTS * POSTS_PER_ACCOUNT))" --format twitter-archive -o "$work/archives" >/dev/null
t1=$(now)
ls "$work/archives" | sed -n 's/\.zip$//p' | sort >"$work/names.txt"
made=$(wc -l <"$work/names.txt")
if [ "$made" -ne "$ACCOUNTS" ]; then
    echo "load_api: expected $ACCOUNTS archives, gen wrote $made" >&2
    exit 1
fi
awk -v n="$made" -v s="$t0" -v e="$t1" -v mb="$(du -sm "$work/archives" | cut -f1)" \
    'BEGIN { printf "generated %d archives (%d MB) in %.1f s\n", n, mb, e - s }'

port="$(free_port)"
{
    printf '[server]\nlisten = "127.0.0.1:%s"\n\n' "$port"
    # retention_days = 0: the real captures (and generated timelines) are older than the default
    # 365 days, and retention would leave the detectors nothing to analyse.
    printf '[store]\npath = "%s/echoscope.db"\nretention_days = 0\n\n' "$work"
    printf '[poll]\ninterval_seconds = 86400\n\n'
    printf '[log]\nlevel = "info"\n\n'
    while read -r name; do
        printf '[[accounts]]\nname = "%s"\nsource = "file:%s/archives/%s.zip"\n\n' \
            "$name" "$work" "$name"
    done <"$work/names.txt"
} >"$work/echoscope.toml"

# --- start and wait until every account is analysed ---------------------------------------
"$bin" serve --config "$work/echoscope.toml" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
base="http://127.0.0.1:$port"
start=$(now)
deadline=$(($(date +%s) + READY_TIMEOUT))
analysed=0
while :; do
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
        echo "load_api: the daemon exited early; its log:" >&2
        tail -n 20 "$work/daemon.log" >&2
        exit 1
    fi
    if summary=$(curl -sf --max-time 10 "$base/api/v1/accounts" |
        jq -r '[length, ([.[] | select(.status == "ok" and .score != null)] | length),
                ([.[] | select(.status == "error")] | length)] | @tsv' 2>/dev/null); then
        read -r total analysed errors <<<"$summary"
        if [ "$analysed" -eq "$ACCOUNTS" ]; then
            break
        fi
        if [ "$errors" -gt 0 ]; then
            echo "load_api: $errors accounts failed; first errors:" >&2
            curl -sf "$base/api/v1/accounts" | jq -r '.[] | select(.status == "error") | "\(.name): \(.last_error)"' | sed -n '1,5p' >&2
            exit 1
        fi
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "load_api: only $analysed of $ACCOUNTS accounts analysed after ${READY_TIMEOUT}s" >&2
        exit 1
    fi
    sleep 1
done
ready=$(now)
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon_pid/status")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status")
cpu_ticks=$(awk '{print $14 + $15}' "/proc/$daemon_pid/stat")
awk -v n="$ACCOUNTS" -v s="$start" -v e="$ready" -v r="$rss_kb" -v h="$hwm_kb" \
    -v c="$cpu_ticks" -v hz="$clk_tck" 'BEGIN {
    printf "daemon: %d accounts analysed %.1f s after start; CPU %.1f s; RSS %.0f MB (peak %.0f MB)\n",
        n, e - s, c / hz, r / 1024, h / 1024 }'

# --- load ----------------------------------------------------------------------------------
cat >"$work/rotate.lua" <<EOF
-- Each request asks for the next configured account, so every report is read in turn.
local names = {}
for line in io.lines("$work/names.txt") do names[#names + 1] = line end
local i = math.random(#names)
request = function()
    i = i % #names + 1
    return wrk.format("GET", "/api/v1/accounts/" .. names[i])
end
EOF
first_name=$(head -n 1 "$work/names.txt")

# Converts wrk's "1.23ms" / "456.00us" / "1.02s" to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
        else printf "%s", v }'
}

rows=()
run_wrk() {
    local label="$1" path="$2" script="${3:-}" out size
    size=$(curl -sf -o /dev/null -w '%{size_download}' "$base${path//\{name\}/$first_name}")
    # One request at a time first: the latency a lone scraper sees (median of 5).
    local single
    single=$(for _ in 1 2 3 4 5; do
        curl -sf -o /dev/null -w '%{time_total}\n' "$base${path//\{name\}/$first_name}"
    done | sort -n | awk 'NR == 3 {printf "%.2f", $1 * 1000}')
    out="$work/wrk-${label//[^a-z]/_}.txt"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency --timeout 10s \
        ${script:+-s "$script"} "$base${path//\{name\}/$first_name}" >"$out"
    local rps p50 p99 errors
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    errors=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {
        for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i } END {print n + 0}' "$out")
    rows+=("$(printf '| `GET %s` | %s | %s | %s | %s | %s | %s |' "$path" "$size" "$single" "$rps" "$p50" "$p99" "$errors")")
}

run_wrk healthz /healthz
run_wrk metrics /metrics
run_wrk accounts /api/v1/accounts
run_wrk account '/api/v1/accounts/{name}' "$work/rotate.lua"

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, $ACCOUNTS accounts, $(nproc) cores:"
echo
echo "| endpoint | response bytes | one request ms | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo

rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon_pid/status")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status")
awk -v r="$rss_kb" -v h="$hwm_kb" 'BEGIN {
    printf "daemon after the load: RSS %.0f MB (peak %.0f MB)\n", r / 1024, h / 1024 }'

# --- stop ----------------------------------------------------------------------------------
kill -TERM "$daemon_pid"
status=0
for _ in $(seq 1 300); do
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$daemon_pid" 2>/dev/null; then
    echo "load_api: the daemon did not stop within 30 s of SIGTERM" >&2
    exit 1
fi
wait "$daemon_pid" || status=$?
daemon_pid=""
problems=$(grep -cE ' (WARN|ERROR) ' "$work/daemon.log" || true)
echo "daemon: exit status $status after SIGTERM; $problems WARN/ERROR log lines"
if [ "$problems" -gt 0 ]; then
    grep -m 5 -E ' (WARN|ERROR) ' "$work/daemon.log"
fi
[ "$status" -eq 0 ]

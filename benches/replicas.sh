#!/usr/bin/env bash
# Replicas on one PostgreSQL store: 10,000 accounts polled by one, two and three `echoscope serve`
# replicas against the fake feed server on 127.0.0.1 (benches/fake_feeds.py, real-format
# payloads), then 100,000 accounts on one replica for memory.
#
#   bash benches/replicas.sh
#   ACCOUNTS=2000 REPLICAS_LIST="1 3" BIG=0 bash benches/replicas.sh
#
# For each replica count N it starts a throwaway PostgreSQL cluster (initdb/pg_ctl, as `nobody`
# when run as root; a fresh database per run), starts N replicas with the same configuration
# (every account a Mastodon RSS feed URL, poll.interval_seconds = INTERVAL) and measures the
# first poll of every account (fetch 200, store, analyse): wall time until every account has a
# stored fetch cursor and an analysis run (SQL on the shared database), polls per second over
# that, CPU seconds and peak RSS of each replica (from /proc), CPU and memory per account, and
# the database server's CPU. Then every replica is stopped with SIGTERM (exit status checked).
# With BIG > 0, one replica is then started with BIG accounts and its RSS is sampled once every
# account has been polled once.
#
# Needs python3, curl, jq and the PostgreSQL server binaries (.ci/install installs them). Every
# wait is bounded by ROUND_TIMEOUT seconds; all traffic stays on 127.0.0.1. KEEP=1 keeps the
# temporary folder.
set -euo pipefail

cd "$(dirname "$0")/.."
ACCOUNTS="${ACCOUNTS:-10000}"
REPLICAS_LIST="${REPLICAS_LIST:-1 2 3}"
BIG="${BIG:-100000}"
INTERVAL="${INTERVAL:-600}"
PER_HOST="${PER_HOST:-16}"
LEASE="${LEASE:-15}"
ROUND_TIMEOUT="${ROUND_TIMEOUT:-900}"
KEEP="${KEEP:-}"

for tool in python3 curl jq; do
    command -v "$tool" >/dev/null || { echo "replicas: $tool not found" >&2; exit 2; }
done
pgbin=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -n 1)")
if [ ! -x "$pgbin/initdb" ] || [ ! -x "$pgbin/pg_ctl" ]; then
    echo "replicas: PostgreSQL server binaries not found; run .ci/install" >&2
    exit 2
fi

work="$(mktemp -d)"
chmod 755 "$work"
pids=()
feeds_pid=""
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
cleanup() {
    for pid in "${pids[@]}" $feeds_pid; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 1
    for pid in "${pids[@]}" $feeds_pid; do kill -KILL "$pid" 2>/dev/null || true; done
    as_pg "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    if [ -n "$KEEP" ]; then echo "replicas: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
rss_kb() { awk -v k="${2:-VmRSS}:" '$1 == k {print $2}' "/proc/$1/status"; }
# CPU seconds of every process of the PostgreSQL cluster (the postmaster and its children).
pg_cpu() {
    local master total=0
    master=$(head -n 1 "$work/pg/postmaster.pid")
    for p in $master $(pgrep -P "$master"); do
        total=$(awk -v t="$total" -v c="$(cpu_s "$p" 2>/dev/null || echo 0)" 'BEGIN {print t + c}')
    done
    echo "$total"
}

cargo build --release --quiet
bin="$PWD/target/release/echoscope"

# --- PostgreSQL ----------------------------------------------------------------------------------
mkdir -p "$work/pg" "$work/sock"
chown nobody "$work/pg" "$work/sock" 2>/dev/null || true
pgport=$(free_port)
as_pg "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/sock/pg.log" -w \
    -o "-p $pgport -k $work/sock -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
psql_() { psql -h 127.0.0.1 -p "$pgport" -U postgres -X -q -A -t "$@"; }

# --- fake feeds ---------------------------------------------------------------------------------
python3 benches/fake_feeds.py --port-file "$work/feeds.port" >/dev/null 2>"$work/feeds.log" &
feeds_pid=$!
for _ in $(seq 1 100); do [ -s "$work/feeds.port" ] && break; sleep 0.1; done
feeds="http://127.0.0.1:$(cat "$work/feeds.port")"

config() { # accounts database replica port
    printf '[server]\nlisten = "127.0.0.1:%s"\n\n' "$4"
    printf '[store]\nurl = "postgres://postgres@127.0.0.1:%s/%s"\nretention_days = 0\n\n' "$pgport" "$2"
    printf '[cluster]\nlease_seconds = %s\nreplica_id = "%s"\n\n' "$LEASE" "$3"
    printf '[poll]\ninterval_seconds = %s\njitter = 0.1\nper_host_concurrency = %s\n\n' "$INTERVAL" "$PER_HOST"
    printf '[log]\nlevel = "warn"\n\n'
    python3 - "$1" "$feeds" <<'PY'
import sys
n, feeds = int(sys.argv[1]), sys.argv[2]
out = sys.stdout
for i in range(1, n + 1):
    out.write(f'[[accounts]]\nname = "user{i:06d}"\nsource = "{feeds}/@user{i:06d}.rss"\n\n')
PY
}

# Starts N replicas on database DB with A accounts; waits until every account has a cursor and a
# run; prints one table row.
run() { # replicas accounts db
    local n=$1 accounts=$2 db=$3 ports=() start end i
    psql_ -c "CREATE DATABASE $db" >/dev/null
    pids=()
    for i in $(seq 1 "$n"); do
        ports+=("$(free_port)")
        config "$accounts" "$db" "replica-$i" "${ports[-1]}" >"$work/$db-$i.toml"
    done
    start=$(now)
    for i in $(seq 1 "$n"); do
        "$bin" serve --config "$work/$db-$i.toml" >"$work/$db-$i.log" 2>&1 &
        pids+=($!)
    done
    local pg0 deadline polled analysed
    pg0=$(pg_cpu)
    deadline=$(($(date +%s) + ROUND_TIMEOUT))
    while :; do
        for p in "${pids[@]}"; do
            kill -0 "$p" 2>/dev/null || { echo "replicas: a replica exited early:" >&2; tail -n 20 "$work/$db"-*.log >&2; exit 1; }
        done
        polled=$(psql_ -d "$db" -c "SELECT count(*) FROM fetch_state" 2>/dev/null || echo 0)
        analysed=$(psql_ -d "$db" -c "SELECT count(DISTINCT account_id) FROM runs" 2>/dev/null || echo 0)
        [ "${polled:-0}" -ge "$accounts" ] && [ "${analysed:-0}" -ge "$accounts" ] && break
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "replicas: $n replicas, $accounts accounts: $polled polled, $analysed analysed after $ROUND_TIMEOUT s" >&2
            exit 1
        fi
        sleep 1
    done
    end=$(now)
    local cpus=() rsss=() held=() total_cpu=0 max_rss=0 sum_rss=0
    for i in $(seq 0 $((n - 1))); do
        local p=${pids[$i]}
        cpus+=("$(cpu_s "$p")")
        rsss+=("$(rss_kb "$p" VmHWM)")
        held+=("$(curl -sf "http://127.0.0.1:${ports[$i]}/metrics" | awk '$1 == "echoscope_replica_accounts_held" {print $2}')")
        total_cpu=$(awk -v a="$total_cpu" -v b="${cpus[-1]}" 'BEGIN {print a + b}')
        sum_rss=$((sum_rss + rsss[-1]))
        [ "${rsss[-1]}" -gt "$max_rss" ] && max_rss=${rsss[-1]}
    done
    local pgc
    pgc=$(awk -v a="$(pg_cpu)" -v b="$pg0" 'BEGIN {printf "%.1f", a - b}')
    awk -v n="$n" -v a="$accounts" -v s="$start" -v e="$end" -v c="$total_cpu" -v m="$max_rss" \
        -v sm="$sum_rss" -v pg="$pgc" -v h="${held[*]}" 'BEGIN {
        w = e - s
        printf "| %d | %d | %s | %.1f | %.0f | %.1f | %.2f | %.0f | %.1f | %s |\n",
            n, a, h, w, a / w, c, c * 1000 / a, m / 1024, sm / a, pg }'
    for p in "${pids[@]}"; do kill -TERM "$p"; done
    for p in "${pids[@]}"; do
        local status=0
        wait "$p" || status=$?
        [ "$status" -eq 0 ] || { echo "replicas: a replica exited with $status after SIGTERM" >&2; exit 1; }
    done
    pids=()
    local problems
    problems=$(cat "$work/$db"-*.log | grep -cE '(WARN|ERROR)' || true)
    [ "$problems" -eq 0 ] || { echo "($problems WARN/ERROR log lines; first:)"; grep -h -E '(WARN|ERROR)' "$work/$db"-*.log | sed -n '1,3p'; }
}

echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pgport; fake feeds on $feeds; interval $INTERVAL s, lease $LEASE s"
printf '| replicas | accounts | held by each | first poll of all, s | polls/s | replicas CPU s | CPU ms per account | peak RSS MB (largest replica) | RSS KB per account (all replicas) | PostgreSQL CPU s |\n|---|---|---|---|---|---|---|---|---|---|\n'
for n in $REPLICAS_LIST; do
    run "$n" "$ACCOUNTS" "bench_r$n"
done
if [ "$BIG" -gt 0 ]; then
    run 1 "$BIG" bench_big
fi
echo "(first poll: every account fetched (200), stored and analysed once, from the replicas' start;"
echo " 'held by each' from echoscope_replica_accounts_held at the end; CPU is user + system time)"

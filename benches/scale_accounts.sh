#!/usr/bin/env bash
# Scale test of the daemon: 10,000 configured accounts polled against a fake feed server on
# 127.0.0.1 that serves real-format payloads (benches/fake_feeds.py).
#
#   bash benches/scale_accounts.sh
#   ACCOUNTS=2000 BSKY_EVERY=0 bash benches/scale_accounts.sh
#   ROUNDS=6 bash benches/scale_accounts.sh   # memory over more polls (~6 min)
#
# What it does: builds the release binary; starts benches/fake_feeds.py; writes a config of
# ACCOUNTS accounts, every BSKY_EVERY-th a `bsky:` source read from the fake AppView
# (getAuthorFeed, 3 requests on the first poll) and the rest Mastodon RSS feed URLs
# `http://127.0.0.1:PORT/@userNNNNN.rss` (one request; later polls get 304 through the ETag);
# starts `echoscope serve` on a free port and
#   round 1: waits until every account has status "ok" and a score (the first poll: backfill,
#            store, analyse), then samples the daemon's RSS (/proc/PID/status VmRSS), CPU time
#            (utime + stime from /proc/PID/stat over CLK_TCK), threads and the store's size;
#   rounds 2..ROUNDS: waits until every account has been polled again (interval INTERVAL
#            seconds, jitter 10%; RSS feeds answer 304, Bluesky reads one page) and analysed,
#            and samples the same figures: the steady-state cost of a poll, and any growth.
#            INTERVAL must exceed round 1's duration by 10% or more (the earliest re-poll).
# then scrapes /metrics (size, time, `promtool check metrics` when promtool is installed) and
# /api/v1/accounts, times a SIGHUP reload, stops the daemon with SIGTERM (it must exit 0),
# prints a summary and (unless RESTART=) times a restart on the same store.
#
# Needs python3 (3.11, standard library), curl and jq. Every wait is bounded (ROUND_TIMEOUT
# seconds per round); all traffic stays on 127.0.0.1. KEEP=1 keeps the temporary folder.
set -euo pipefail

cd "$(dirname "$0")/.."
ACCOUNTS="${ACCOUNTS:-10000}"
BSKY_EVERY="${BSKY_EVERY:-10}"
PER_HOST="${PER_HOST:-16}"
INTERVAL="${INTERVAL:-60}"
ROUNDS="${ROUNDS:-3}"
ROUND_TIMEOUT="${ROUND_TIMEOUT:-120}"
KEEP="${KEEP:-}"
RESTART="${RESTART-1}"

for tool in python3 curl jq; do
    if ! command -v "$tool" >/dev/null; then
        echo "scale_accounts: $tool not found; install it (Debian/Ubuntu: apt-get install $tool)" >&2
        exit 2
    fi
done

work="$(mktemp -d)"
daemon_pid=""
feeds_pid=""
cleanup() {
    for pid in $daemon_pid $feeds_pid; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done
    sleep 1
    for pid in $daemon_pid $feeds_pid; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ -n "$KEEP" ]; then
        echo "scale_accounts: kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

now() { date +%s.%N; }
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# CPU seconds (user + system) of a process.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
rss_kb() { awk -v k="${2:-VmRSS}:" '$1 == k {print $2}' "/proc/$1/status"; }
threads() { awk '$1 == "Threads:" {print $2}' "/proc/$1/status"; }
# Bytes of the SQLite store on disk: the database, its WAL and shared-memory files.
store_bytes() { du -cb "$work"/echoscope.db* 2>/dev/null | awk 'END {print $1}'; }
# Rows and report bytes in the store's runs table, and posts stored (read-only, beside the daemon).
db_counts() {
    python3 - "$work/echoscope.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=10)
runs, report_bytes = db.execute("SELECT count(*), coalesce(sum(length(report)), 0) FROM runs").fetchone()
posts = db.execute("SELECT count(*) FROM posts").fetchone()[0]
print(runs, report_bytes, posts)
PY
}
mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }

cargo build --release --quiet
bin="$PWD/target/release/echoscope"

# --- fake server and config ---------------------------------------------------------------
python3 benches/fake_feeds.py --port-file "$work/feeds.port" >/dev/null 2>"$work/feeds.log" &
feeds_pid=$!
for _ in $(seq 1 100); do
    [ -s "$work/feeds.port" ] && break
    sleep 0.1
done
if [ ! -s "$work/feeds.port" ]; then
    echo "scale_accounts: the fake feed server did not start:" >&2
    cat "$work/feeds.log" >&2
    exit 1
fi
feeds="http://127.0.0.1:$(cat "$work/feeds.port")"
feed_stats() { curl -sf --max-time 10 "$feeds/_stats"; }

port="$(free_port)"
bsky=0
{
    printf '[server]\nlisten = "127.0.0.1:%s"\n\n' "$port"
    # retention_days = 0: the real captures (and generated timelines) are older than the default
    # 365 days, and retention would leave the detectors nothing to analyse.
    printf '[store]\npath = "%s/echoscope.db"\nretention_days = 0\n\n' "$work"
    printf '[poll]\ninterval_seconds = %s\njitter = 0.1\nper_host_concurrency = %s\n' \
        "$INTERVAL" "$PER_HOST"
    printf 'bluesky_appview = "%s"\n\n' "$feeds"
    printf '[log]\nlevel = "info"\n\n'
    for i in $(seq 1 "$ACCOUNTS"); do
        name=$(printf 'user%05d' "$i")
        if [ "$BSKY_EVERY" -gt 0 ] && [ $((i % BSKY_EVERY)) -eq 0 ]; then
            source="bsky:$name.bsky.social"
        else
            source="$feeds/@$name.rss"
        fi
        printf '[[accounts]]\nname = "%s"\nsource = "%s"\n\n' "$name" "$source"
    done
} >"$work/echoscope.toml"
if [ "$BSKY_EVERY" -gt 0 ]; then
    bsky=$((ACCOUNTS / BSKY_EVERY))
fi
rss=$((ACCOUNTS - bsky))
echo "config: $ACCOUNTS accounts ($rss Mastodon RSS, $bsky Bluesky AppView) on $feeds," \
    "poll.interval_seconds = $INTERVAL, poll.per_host_concurrency = $PER_HOST"

# --- start ----------------------------------------------------------------------------------
"$bin" serve --config "$work/echoscope.toml" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
base="http://127.0.0.1:$port"
start=$(now)
alive() {
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
        echo "scale_accounts: the daemon exited early; its log:" >&2
        tail -n 20 "$work/daemon.log" >&2
        exit 1
    fi
}

# --- rounds ------------------------------------------------------------------------------------
# A round is over when every account has been fetched and analysed once more. The fake server's
# counters are watched first (cheap): an RSS account's first poll is one 200 and each later poll
# one 304; a Bluesky account's first poll is 3 requests and each later poll 1. Then the API
# confirms that every account has a score and, after round 1, a new `last_success_at` (a poll
# that brings no new posts is not analysed again, so `analysed_at` stays). Polling the
# daemon's API only at the end keeps the measurement from paying for the watching.
printf '| round | wall s | daemon CPU s | CPU ms per account | RSS MB | RSS KB per account | store MB | runs stored (report MB) | posts stored | threads (max) |\n|---|---|---|---|---|---|---|---|---|---|\n'
snapshot="$work/analysed.json"
echo '{}' >"$snapshot"
prev_end=$start
prev_cpu=0
for round in $(seq 1 "$ROUNDS"); do
    if [ "$round" -eq 1 ]; then
        want_rss200=$rss want_rss304=0 want_bsky=$((bsky * 3))
        deadline=$(($(date +%s) + ROUND_TIMEOUT))
    else
        want_rss304=$((rss * (round - 1))) want_bsky=$((bsky * (round + 2)))
        deadline=$(($(date +%s) + INTERVAL + ROUND_TIMEOUT))
    fi
    max_threads=0
    got_rss200=0 got_rss304=0 got_bsky=0 done_accounts=0
    while :; do
        alive
        t=$(threads "$daemon_pid")
        [ "$t" -gt "$max_threads" ] && max_threads=$t
        stats=$(feed_stats || echo '{}')
        got_rss200=$(jq '.requests["rss 200"] // 0' <<<"$stats")
        got_rss304=$(jq '.requests["rss 304"] // 0' <<<"$stats")
        got_bsky=$(jq '.requests["bsky 200"] // 0' <<<"$stats")
        if [ "$got_rss200" -ge "$want_rss200" ] && [ "$got_rss304" -ge "$want_rss304" ] &&
            [ "$got_bsky" -ge "$want_bsky" ]; then
            if curl -sf --max-time 20 "$base/api/v1/accounts" >"$work/accounts.json"; then
                done_accounts=$(jq --slurpfile prev "$snapshot" \
                    '[.[] | select(.status == "ok" and .score != null and .last_success_at != null
                                   and .last_success_at != $prev[0][.name])] | length' "$work/accounts.json")
                [ "$done_accounts" -eq "$ACCOUNTS" ] && break
            fi
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "scale_accounts: round $round not over in time: $got_rss200 RSS 200s, $got_rss304 RSS 304s, $got_bsky Bluesky requests, $done_accounts accounts analysed; first errors:" >&2
            curl -sf "$base/api/v1/accounts" | jq -r '.[] | select(.status == "error") | "\(.name): \(.last_error)"' | sed -n '1,5p' >&2
            exit 1
        fi
        sleep 1
    done
    end=$(now)
    cpu=$(cpu_s "$daemon_pid")
    rss_now=$(rss_kb "$daemon_pid")
    store=$(store_bytes)
    read -r runs report_bytes posts <<<"$(db_counts)"
    jq -c 'map({(.name): .last_success_at}) | add' "$work/accounts.json" >"$snapshot"
    awk -v r="$round" -v n="$ACCOUNTS" -v s="$prev_end" -v e="$end" -v c0="$prev_cpu" -v c="$cpu" \
        -v m="$rss_now" -v st="$store" -v th="$max_threads" -v ru="$runs" -v rb="$report_bytes" \
        -v po="$posts" 'BEGIN {
        printf "| %d | %.1f | %.1f | %.2f | %.0f | %.1f | %.1f | %d (%.1f) | %d | %d |\n",
            r, e - s, c - c0, (c - c0) * 1000 / n, m / 1024, m / n, st / 1048576, ru, rb / 1048576, po, th }'
    eval "round${round}_store=$store round${round}_report_bytes=$report_bytes"
    prev_end=$end
    prev_cpu=$cpu
done
echo "(round 1: from start to every account analysed once; later rounds: from the end of the previous"
echo " round, so the wait for the next poll is included; store = database + WAL + shm files)"
echo "(a poll that brings no new posts is not analysed again: later rounds fetch and store only)"
if [ "$ROUNDS" -ge 2 ]; then
    awk -v a="$round1_store" -v b="$store" -v ra="$round1_report_bytes" -v rb="$report_bytes" \
        -v n="$ACCOUNTS" -v k="$((ROUNDS - 1))" 'BEGIN {
        printf "growth per account per later poll (no new posts): store files %.2f KB, stored run reports %.2f KB\n",
            (b - a) / 1024 / n / k, (rb - ra) / 1024 / n / k }'
fi

# --- one scrape of each read endpoint ------------------------------------------------------
curl -sf --max-time 60 -o "$work/metrics.txt" -w '%{size_download} %{time_total}\n' \
    "$base/metrics" >"$work/metrics.w"
read -r m_bytes m_time <"$work/metrics.w"
m_series=$(grep -vc '^#' "$work/metrics.txt" || true)
m_findings=$(grep -c '^echoscope_account_findings{' "$work/metrics.txt" || true)
curl -sf --max-time 60 -o /dev/null -w '%{size_download} %{time_total}\n' \
    "$base/api/v1/accounts" >"$work/accounts.w"
read -r a_bytes a_time <"$work/accounts.w"
promtool_result="promtool not installed"
if command -v promtool >/dev/null; then
    if promtool check metrics <"$work/metrics.txt" >"$work/promtool.txt" 2>&1; then
        promtool_result="promtool check metrics: ok"
    else
        promtool_result="promtool check metrics: $(head -c 300 "$work/promtool.txt" | tr '\n' ' ')"
    fi
fi
awk -v b="$m_bytes" -v t="$m_time" -v s="$m_series" -v f="$m_findings" -v ab="$a_bytes" -v at="$a_time" 'BEGIN {
    printf "GET /metrics: %.1f MB, %d samples (%d of them echoscope_account_findings), %.0f ms\n", b / 1048576, s, f, t * 1000
    printf "GET /api/v1/accounts: %.1f MB, %.0f ms\n", ab / 1048576, at * 1000 }'
echo "$promtool_result"
# The daemon's own histograms (wall time, waits for the store and the blocking pool included).
awk '$1 == "echoscope_analysis_duration_seconds_sum" {as = $2}
     $1 == "echoscope_analysis_duration_seconds_count" {ac = $2}
     $1 ~ /^echoscope_fetch_duration_seconds_sum/ {fs += $2}
     $1 ~ /^echoscope_fetch_duration_seconds_count/ {fc += $2}
     END { if (ac > 0 && fc > 0) printf "daemon histograms: %d analyses, mean %.1f ms; %d fetches, mean %.1f ms (wall)\n",
           ac, as * 1000 / ac, fc, fs * 1000 / fc }' "$work/metrics.txt"

# --- SIGHUP reload -------------------------------------------------------------------------------
# The pollers of the old configuration stop and new ones start; each re-publishes its account
# from the store. Over when the reload timestamp has moved and every account's score is back.
score_series() { curl -sf --max-time 60 "$base/metrics" | grep -c '^echoscope_account_authenticity_score{' || true; }
reload_stamp() { curl -sf --max-time 60 "$base/metrics" | awk '$1 == "echoscope_config_last_reload_success_timestamp_seconds" {print $2}'; }
stamp0=$(reload_stamp)
cpu0=$(cpu_s "$daemon_pid")
hup_at=$(now)
kill -HUP "$daemon_pid"
deadline=$(($(date +%s) + ROUND_TIMEOUT))
while :; do
    alive
    if [ "$(reload_stamp)" != "$stamp0" ] && [ "$(score_series)" -eq "$ACCOUNTS" ]; then
        break
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "scale_accounts: SIGHUP reload not over within $ROUND_TIMEOUT s" >&2
        exit 1
    fi
    sleep 0.5
done
awk -v s="$hup_at" -v e="$(now)" -v c0="$cpu0" -v c="$(cpu_s "$daemon_pid")" 'BEGIN {
    printf "SIGHUP reload: every account re-published %.1f s after the signal, %.1f s CPU\n", e - s, c - c0 }'

# --- stop --------------------------------------------------------------------------------------
peak_kb=$(rss_kb "$daemon_pid" VmHWM)
stop_at=$(now)
kill -TERM "$daemon_pid"
for _ in $(seq 1 300); do
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$daemon_pid" 2>/dev/null; then
    echo "scale_accounts: the daemon did not stop within 30 s of SIGTERM" >&2
    exit 1
fi
status=0
wait "$daemon_pid" || status=$?
stopped=$(now)
daemon_pid=""
final_store=$(store_bytes)
stats=$(feed_stats)
feeds_cpu=$(cpu_s "$feeds_pid")
kill -TERM "$feeds_pid" 2>/dev/null || true
wait "$feeds_pid" 2>/dev/null || true
feeds_pid=""
problems=$(grep -cE ' (WARN|ERROR) ' "$work/daemon.log" || true)
awk -v s="$stop_at" -v e="$stopped" -v st="$status" -v p="$peak_kb" -v fs="$final_store" 'BEGIN {
    printf "daemon: exit status %d, %.1f s after SIGTERM; peak RSS %.0f MB; store after shutdown %.1f MB\n",
        st, e - s, p / 1024, fs / 1048576 }'
echo "fake server: $(jq -c '.requests' <<<"$stats"), $(mb "$(jq '.bytes_sent' <<<"$stats")") MB sent, CPU $feeds_cpu s"
echo "daemon log: $problems WARN/ERROR lines"
if [ "$problems" -gt 0 ]; then
    # -m, not `| head`: head closing the pipe early kills grep with SIGPIPE, and pipefail
    # then ended the script here (exit 141) before the restart was timed.
    grep -m 5 -E ' (WARN|ERROR) ' "$work/daemon.log"
fi
[ "$status" -eq 0 ] || exit 1

# --- restart on the same store -----------------------------------------------------------------
# Every account polled less than an interval ago waits out the rest of it, so the restarted
# daemon first only reads the store: how long until every account is listed with its score.
if [ -n "$RESTART" ]; then
    "$bin" serve --config "$work/echoscope.toml" >"$work/daemon2.log" 2>&1 &
    daemon_pid=$!
    restart_at=$(now)
    deadline=$(($(date +%s) + ROUND_TIMEOUT))
    while :; do
        alive
        if curl -sf --max-time 20 "$base/api/v1/accounts" >"$work/accounts.json" &&
            [ "$(jq '[.[] | select(.score != null)] | length' "$work/accounts.json")" -eq "$ACCOUNTS" ]; then
            break
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "scale_accounts: restart not over within $ROUND_TIMEOUT s" >&2
            exit 1
        fi
        sleep 0.5
    done
    awk -v s="$restart_at" -v e="$(now)" -v c="$(cpu_s "$daemon_pid")" -v p="$(rss_kb "$daemon_pid" VmHWM)" 'BEGIN {
        printf "restart on the same store: every account listed with its score %.1f s after start, %.1f s CPU, peak RSS %.0f MB\n",
            e - s, c, p / 1024 }'
    kill -TERM "$daemon_pid"
    status=0
    wait "$daemon_pid" || status=$?
    daemon_pid=""
    echo "restarted daemon: exit status $status after SIGTERM"
    [ "$status" -eq 0 ]
fi

#!/usr/bin/env bash
# Scans a generated 1,000,000-post JSONL file with the release binary and prints wall time,
# peak memory (RSS) and throughput.
#
#   bash benches/scan_1m.sh            # POSTS=1000000 by default
#   POSTS=200000 bash benches/scan_1m.sh
#   ACCOUNTS=1 bash benches/scan_1m.sh  # one generated account holding all the posts
#   ONE_ACCOUNT=1 bash benches/scan_1m.sh  # the usual file with every `account` set to one name:
#                                       # 5,000 people's look-alike texts in one timeline, the
#                                       # hardest case for near-duplicate clustering
#
# Needs GNU time at /usr/bin/time (Debian/Ubuntu package `time`: apt-get install time).
# The input is `gen --scenario mixed --seed 1 --posts $POSTS` (the generator's binary, from
# crates/synth): about 5,000 accounts of 200 posts: people, hard negatives, promoters,
# auto-responders, news feeds, brands.
set -euo pipefail

cd "$(dirname "$0")/.."
POSTS="${POSTS:-1000000}"
ACCOUNTS="${ACCOUNTS:-}"
ONE_ACCOUNT="${ONE_ACCOUNT:-}"

if [ ! -x /usr/bin/time ]; then
    echo "scan_1m: /usr/bin/time not found; install GNU time (apt-get install time)" >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
input="$work/mixed-$POSTS.jsonl"

cargo build --release --quiet
cargo build --release --quiet -p echoscope-synth --bin gen
bin=target/release/echoscope

start=$(date +%s.%N)
target/release/gen --scenario mixed --seed 1 --posts "$POSTS" ${ACCOUNTS:+--accounts "$ACCOUNTS"} -o "$input"
end=$(date +%s.%N)
if [ -n "$ONE_ACCOUNT" ]; then
    sed -E -i 's/"account":"[^"]*"/"account":"big"/' "$input"
fi
bytes=$(stat -c %s "$input")
awk -v n="$POSTS" -v b="$bytes" -v s="$start" -v e="$end" \
    'BEGIN { printf "generated %d posts (%.1f MB) in %.2f s\n", n, b / 1e6, e - s }'

status=0
/usr/bin/time -v -o "$work/time.txt" \
    "$bin" scan "$input" --format json -o /dev/null --quiet 2>"$work/stderr.txt" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
    echo "scan_1m: the scan failed (exit $status):" >&2
    grep -v '^Command exited with non-zero status' "$work/stderr.txt" >&2 || true
    exit 1
fi

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:03.41"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0
    for (i = 1; i <= n; i++) s = s * 60 + p[i]
    print s }' "$work/time.txt")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$work/time.txt")
sys=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$work/time.txt")

awk -v n="$POSTS" -v w="$wall" -v r="$rss_kb" -v u="$user" -v s="$sys" 'BEGIN {
    printf "scan: %d posts in %.2f s wall (CPU %.2f s user + %.2f s system), peak RSS %.1f MB, %.0f posts/s\n", n, w, u, s, r / 1024, (w > 0 ? n / w : 0) }'

#!/usr/bin/env bash
# Runs every fuzz target in turn, SECONDS each (default 60), one libFuzzer process at a time, and
# prints a table: target | runs | cov | ft | peak RSS (MB) | crashes. Needs the nightly toolchain
# and cargo-fuzz (`cargo install cargo-fuzz --locked`). Exits non-zero when any target found a crash.
#
#   crates/fuzz/run-all.sh 600                 # the issue's 10 minutes per target
#   FUZZ_BUILD=--dev crates/fuzz/run-all.sh 2 --corpus-only   # CI: the committed corpus, briefly
#   TARGETS="jsonl csv" crates/fuzz/run-all.sh 60
#
# The committed seeds (crates/fuzz/corpus/TARGET) are read, never written: what a run adds goes
# to $FUZZ_WORK/corpus/TARGET (default target/fuzz-work), which later runs start from. Builds go
# to $CARGO_TARGET_DIR (default target/fuzz-build), so they never clobber the stable build. Crash
# inputs are kept in crates/fuzz/artifacts/TARGET/ (minimise one with
# `cargo +nightly fuzz tmin --fuzz-dir crates/fuzz TARGET FILE`). The sanitizer is off: the code
# is safe Rust, so what a run looks for is panics (overflow checks on), hangs and memory
# growth, and an unsanitized build runs several times more inputs per second.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
corpus_only=false
[ "${2:-}" = "--corpus-only" ] && corpus_only=true
work="${FUZZ_WORK:-$PWD/target/fuzz-work}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/fuzz-build}"
fuzz=(cargo +nightly fuzz)
targets="${TARGETS:-$("${fuzz[@]}" list --fuzz-dir crates/fuzz)}"
# FUZZ_BUILD="--dev": an unoptimised build, several times quicker to compile and slower to run;
# enough for CI's pass over the committed corpus. The default is cargo-fuzz's optimised build.
read -r -a build <<<"${FUZZ_BUILD:-}"

"${fuzz[@]}" build --fuzz-dir crates/fuzz -s none "${build[@]}" >&2

rows=()
failed=0
for t in $targets; do
  mkdir -p "$work/corpus/$t" "$work/logs" "crates/fuzz/artifacts/$t"
  log="$work/logs/$t.log"
  before=$(find "crates/fuzz/artifacts/$t" -type f | wc -l)
  dict=()
  [ -f "crates/fuzz/dict/$t.dict" ] && dict=(-dict="crates/fuzz/dict/$t.dict")
  if $corpus_only; then
    # Every committed seed once, then mutations for the rest of the time; what they add goes
    # to a folder thrown away (libFuzzer writes to the first corpus folder it is given).
    rm -rf "$work/scratch/$t"
    mkdir -p "$work/scratch/$t"
    corpora=("$work/scratch/$t" "crates/fuzz/corpus/$t")
  else
    corpora=("$work/corpus/$t" "crates/fuzz/corpus/$t")
  fi
  status=0
  "${fuzz[@]}" run --fuzz-dir crates/fuzz -s none "${build[@]}" "$t" "${corpora[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "${dict[@]}" >"$log" 2>&1 || status=$?
  # A target that never ran (its build failed) has no figures: `?` in the table, not an exit.
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  after=$(find "crates/fuzz/artifacts/$t" -type f | wc -l)
  crashes=$((after - before))
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    echo "$t: failed (exit $status), see $log" >&2
    grep -m3 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" >&2 || true
    [ "$crashes" -gt 0 ] || crashes="exit $status"
  fi
  rows+=("$(printf '| %-16s | %10s | %6s | %7s | %8s | %7s |' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${rss:-?}" "$crashes")")
done

printf '| %-16s | %10s | %6s | %7s | %8s | %7s |\n' target runs cov ft "RSS (MB)" crashes
printf '|%s|%s|%s|%s|%s|%s|\n' ------------------ ------------ -------- --------- ---------- ---------
printf '%s\n' "${rows[@]}"
echo "($seconds s per target)"
exit "$failed"

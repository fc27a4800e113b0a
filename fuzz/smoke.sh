#!/usr/bin/env bash
# The fuzz smoke run: builds the fuzz crate and runs every target for a fixed time.
#
#   fuzz/smoke.sh [SECONDS]          seconds per target: the argument, else $FUZZ_SECONDS, else 30
#   FUZZ_TARGETS="eval raw_http" fuzz/smoke.sh    only some targets
#   FUZZ_SANITIZER=none fuzz/smoke.sh             no AddressSanitizer even with nightly
#   FUZZ_TOOLCHAIN=stable fuzz/smoke.sh           the stable path even where nightly exists
#   FUZZ_LOG_DIR=/tmp/fuzz-logs fuzz/smoke.sh 600  keep each target's libFuzzer output there
#
# With a nightly toolchain (`cargo +nightly` works) it runs `cargo +nightly fuzz run T` with
# cargo-fuzz's default sanitizer (AddressSanitizer). Without one, it uses the stable toolchain
# with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only -Z flags) and `--sanitizer none`
# (sanitizers need a nightly standard library). cargo-fuzz itself is installed when missing
# (`cargo install cargo-fuzz --locked`, about a minute).
#
# Seeds come from ./seeds.sh (the project's test data). A target that crashes, panics, times
# out (one input over $FUZZ_TIMEOUT seconds, default 60) or exceeds 2 GB of memory fails the
# run; its input is in fuzz/artifacts/<target>/ and `cargo fuzz fmt <target> <file>` shows it.
# Every target is run even when one fails; the exit status is 1 if any failed.
set -euo pipefail

fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-${FUZZ_SECONDS:-30}}"
timeout="${FUZZ_TIMEOUT:-60}"
case "$seconds" in
    '' | *[!0-9]*)
        echo "smoke.sh: the time per target must be a whole number of seconds, not '$seconds'" >&2
        exit 2
        ;;
esac
cd "$fuzz_dir"

if ! cargo fuzz --version > /dev/null 2>&1; then
    echo "== installing cargo-fuzz (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked
fi

toolchain=()
sanitizer=()
if [ "${FUZZ_TOOLCHAIN:-}" != stable ] && cargo +nightly --version > /dev/null 2>&1; then
    toolchain=(+nightly)
    echo "== toolchain: $(cargo +nightly --version)"
else
    export RUSTC_BOOTSTRAP=1
    sanitizer=(--sanitizer none)
    echo "== toolchain: $(cargo --version), no nightly: RUSTC_BOOTSTRAP=1 and --sanitizer none"
fi
if [ -n "${FUZZ_SANITIZER:-}" ]; then
    sanitizer=(--sanitizer "$FUZZ_SANITIZER")
fi

read -r -a targets <<< "${FUZZ_TARGETS:-$(cargo "${toolchain[@]}" fuzz list | tr '\n' ' ')}"

echo "== building the fuzz targets"
cargo "${toolchain[@]}" fuzz build "${sanitizer[@]}"

echo "== seeds"
./seeds.sh

failed=()
summary=()
for target in "${targets[@]}"; do
    echo "== fuzzing $target for ${seconds}s"
    if [ -n "${FUZZ_LOG_DIR:-}" ]; then
        mkdir -p "$FUZZ_LOG_DIR"
        log="$FUZZ_LOG_DIR/$target.log"
    else
        log="$(mktemp)"
    fi
    status=0
    cargo "${toolchain[@]}" fuzz run "${sanitizer[@]}" "$target" "corpus/$target" -- \
        -dict=dict/runtime-expressions.dict \
        -max_total_time="$seconds" \
        -timeout="$timeout" \
        -rss_limit_mb=2048 \
        -print_final_stats=1 \
        > "$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log"
        failed+=("$target")
        summary+=("$(printf '%-18s FAILED (exit %s), artifacts in fuzz/artifacts/%s/' "$target" "$status" "$target")")
    else
        grep -E '^Done [0-9]+ runs' "$log" || true
        summary+=("$(printf '%-18s ok: %s runs, %s exec/s' "$target" "${runs:-?}" "${speed:-?}")")
    fi
    if [ -z "${FUZZ_LOG_DIR:-}" ]; then
        rm -f "$log"
    fi
done

echo "== fuzz smoke summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
    echo "smoke.sh: failing targets: ${failed[*]}" >&2
    exit 1
fi

#!/usr/bin/env bash
# Fuzzes the compose loader for SECONDS (default 600), starting from Tests/ComposeCorpus.
#
#   scripts/fuzz-compose.sh [SECONDS]                      # libFuzzer (FuzzTesting/), coverage-guided
#   scripts/fuzz-compose.sh SECONDS --mutation [--debug]   # the seeded mutation fuzzer (Tests/ComposeFuzz)
#
# libFuzzer needs its own release build of everything with -sanitize=fuzzer (FuzzTesting is a
# package apart for that); it keeps what it learns in .build/compose-fuzz/libfuzzer-corpus, stops
# at the first crash, or at an input over 10 s (-timeout), and saves it under
# .build/compose-fuzz/findings. The mutation fuzzer reuses an ordinary build (test.sh runs it
# with the debug build it just made): byte flips, YAML syntax, anchors and aliases, deep
# nesting, random keys and values, huge numbers, each input loaded in a child process with a
# per-input bound; a crash, a hang or an error that is not an IsolationError fails the run and
# its input is saved under .build/compose-fuzz/findings (replay with `ComposeFuzz --seed S
# --replay N`). Arguments after the mode go to the fuzzer (--seed, --per-input-seconds, or
# libFuzzer's -flags).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-600}
shift || true
findings=.build/compose-fuzz/findings
mkdir -p "$findings"

source scripts/fuzz-mode.sh "$@"
if $fuzz_mutation; then
  swift build -c "$fuzz_configuration" --product ComposeFuzz >/dev/null
  exec "$(swift build -c "$fuzz_configuration" --show-bin-path)/ComposeFuzz" \
    --seconds "$seconds" --corpus Tests/ComposeCorpus --findings "$findings" ${fuzz_args[@]+"${fuzz_args[@]}"}
fi

swift build --package-path FuzzTesting "${libfuzzer_flags[@]}" >/dev/null
corpus=.build/compose-fuzz/libfuzzer-corpus
mkdir -p "$corpus"
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
for file in Tests/ComposeCorpus/*/compose*.yaml; do
  cp "$file" "$seeds/$(basename "$(dirname "$file")")-$(basename "$file")"
done
"$(swift build --package-path FuzzTesting "${libfuzzer_flags[@]}" --show-bin-path)/FuzzComposeLoader" \
  -max_total_time="$seconds" -timeout=10 -max_len=65536 -print_final_stats=1 \
  -dict=FuzzTesting/compose.dict -artifact_prefix="$findings/" ${fuzz_args[@]+"${fuzz_args[@]}"} "$corpus" "$seeds"

#!/usr/bin/env bash
# Fuzzes one target for SECONDS (default 600): tar-reader (the tar readers and the extractor),
# dockerignore (the .dockerignore matcher), abi-json (the C ABI's JSON requests). The compose
# loader has its own script, scripts/fuzz-compose.sh.
#
#   scripts/fuzz.sh TARGET [SECONDS]                      # libFuzzer (FuzzTesting/), coverage-guided
#   scripts/fuzz.sh TARGET SECONDS --mutation [--debug]   # seeded mutations (Tests/ByteFuzz)
#
# The bodies are the main package's Tests/FuzzTargets, so both modes check the same things.
# libFuzzer needs its own release build with -sanitize=fuzzer; it keeps what it learns in
# .build/fuzz/<target>/corpus and saves a crashing or slow (-timeout) input under
# .build/fuzz/findings. The mutation pass reuses an ordinary build and saves a crashing or
# hanging input as .build/fuzz/findings/<target>-seed-<seed>. Replay a finding with
# `byte-fuzz TARGET --replay FILE`; once fixed, keep it under Tests/FuzzFindings/<target>/,
# where the test suite runs it again. Arguments after the mode go to the fuzzer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target=${1:?usage: scripts/fuzz.sh tar-reader|dockerignore|abi-json [SECONDS] [--mutation [--debug]] [ARGS]}
seconds=${2:-600}
shift $(($# < 2 ? $# : 2))
case "$target" in
  tar-reader | dockerignore | abi-json) ;;
  *) echo "scripts/fuzz.sh: unknown target '$target'; one of tar-reader, dockerignore, abi-json" >&2; exit 2 ;;
esac
findings=.build/fuzz/findings
mkdir -p "$findings"

source scripts/fuzz-mode.sh "$@"
if $fuzz_mutation; then
  swift build -c "$fuzz_configuration" --product ByteFuzz >/dev/null
  exec "$(swift build -c "$fuzz_configuration" --show-bin-path)/ByteFuzz" "$target" \
    --seconds "$seconds" --findings "$findings" ${fuzz_args[@]+"${fuzz_args[@]}"}
fi

swift build --package-path FuzzTesting --product FuzzBytes "${libfuzzer_flags[@]}" >/dev/null
corpus=.build/fuzz/$target/corpus
# The target's seeds start the corpus, written by the ordinary build's ByteFuzz.
swift build --product ByteFuzz >/dev/null
"$(swift build --show-bin-path)/ByteFuzz" "$target" --write-seeds "$corpus"
seeds=Tests/FuzzFindings/$target
mkdir -p "$seeds"
FUZZ_TARGET=$target "$(swift build --package-path FuzzTesting "${libfuzzer_flags[@]}" --show-bin-path)/FuzzBytes" \
  -max_total_time="$seconds" -timeout=10 -max_len=65536 -print_final_stats=1 \
  -artifact_prefix="$findings/$target-" ${fuzz_args[@]+"${fuzz_args[@]}"} "$corpus" "$seeds"

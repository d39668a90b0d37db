# Sourced by scripts/fuzz.sh and scripts/fuzz-compose.sh with the arguments after SECONDS:
# reads `--mutation [--debug]` from their front. Sets fuzz_mutation (true or false),
# fuzz_configuration (the mutation fuzzer's build: release, or debug to reuse the build test.sh
# just made), fuzz_args (the rest, for the fuzzer), and libfuzzer_flags (libFuzzer's own build).
fuzz_mutation=false
fuzz_configuration=release
fuzz_args=("$@")
if [[ "${fuzz_args[0]:-}" == "--mutation" ]]; then
  fuzz_mutation=true
  fuzz_args=("${fuzz_args[@]:1}")
  if [[ "${fuzz_args[0]:-}" == "--debug" ]]; then
    fuzz_configuration=debug
    fuzz_args=("${fuzz_args[@]:1}")
  fi
fi
# lld: ld.gold fails with an internal error (dwarf_reader.cc) linking the instrumented binary.
# shellcheck disable=SC2034 # used by the scripts that source this one
libfuzzer_flags=(-c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -use-ld=lld)

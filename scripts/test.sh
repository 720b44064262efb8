#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what is missing, builds, then
#   1. native-shim unit tests (ctest, incl. the mingw-w64 Win32 compile check),
#   2. .NET unit tests (xunit),
#   3. the win-x64 publish check of the host,
#   4. end-to-end tests against a real headless OBS, inside a private network namespace.
# Prints one closing line "tests: N passed, N failed". Exit code 0 only if all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
root=$(pwd)
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

passed=0; failed=0; status=0
step_failed() { echo "!! $1 failed"; status=1; }

bash scripts/setup.sh || { echo "setup failed"; exit 1; }
bash scripts/build.sh || { echo "build failed"; echo "tests: 0 passed, 1 failed"; exit 1; }

echo "== ctest (native-shim)"
if ctest --test-dir build/native --output-on-failure 2>&1 | tee "$results/ctest.log"; then :; else step_failed ctest; fi
ct=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$results/ctest.log" | tail -1)
if [ -n "$ct" ]; then
  f=$(echo "$ct" | awk '{print $1}'); t=$(echo "$ct" | awk '{print $6}')
  passed=$((passed + t - f)); failed=$((failed + f))
else
  failed=$((failed + 1))
fi

# Parses "Failed: N, Passed: N" from dotnet test's summary lines.
count_dotnet() {
  local log=$1 p f
  p=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
  f=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); echo "!! no test ran in $log"; fi
}

for proj in tests/*.Tests/*.csproj; do
  name=$(basename "$(dirname "$proj")")
  [ "$name" = "ObsFaceSwap.EndToEnd.Tests" ] && continue
  echo "== dotnet test $name"
  dotnet test "$proj" -c Release --no-build -nologo 2>&1 | tee "$results/$name.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || step_failed "$name"
  count_dotnet "$results/$name.log"
done

echo "== dotnet publish -r win-x64 (host, compile check for Windows)"
if dotnet publish src/ObsFaceSwap.Host -c Release -r win-x64 --self-contained false \
     -o artifacts/publish/win-x64 -nologo -clp:ErrorsOnly >"$results/publish-win-x64.log" 2>&1; then
  passed=$((passed + 1)); echo "win-x64 publish: ok"
else
  cat "$results/publish-win-x64.log"; failed=$((failed + 1)); step_failed "win-x64 publish"
fi

echo "== end-to-end tests (real OBS, private network namespace)"
e2e=tests/ObsFaceSwap.EndToEnd.Tests
if [ -d "$e2e" ]; then
  unshare -n bash -c "ip link set lo up && dotnet test '$e2e' -c Release --no-build -nologo" 2>&1 \
    | tee "$results/EndToEnd.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || step_failed "end-to-end"
  count_dotnet "$results/EndToEnd.log"
fi

echo
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status

# Sourced by demo.sh and bench-render.sh (after `cd` to the repository root and scripts/env.sh):
# harness_run COMMAND [ARGS...] builds what is missing, then runs
# `obs-faceswap-harness COMMAND ARGS...` inside a private network namespace (unshare -n,
# loopback up): OBS looks up hosts on the internet at start, and obs-websocket listens on
# every interface.
harness_run() {
  local root module host harness
  root=$(pwd)
  module="${OBS_FACESWAP_MODULE_DIR:-$root/build/native/bin}/obs-faceswap.so"
  host="${OBS_FACESWAP_HOST:-$root/src/ObsFaceSwap.Host/bin/Release/net10.0/obs-faceswap-host}"
  if [ ! -f "$module" ] || [ ! -x "$host" ]; then
    bash scripts/build.sh
  fi
  # Outside the namespace: a restore may need the package feed.
  dotnet build tests/ObsFaceSwap.Testing -c Release -nologo -clp:ErrorsOnly >/dev/null
  harness="$root/tests/ObsFaceSwap.Testing/bin/Release/net10.0/obs-faceswap-harness"
  # Root can make a network namespace directly; anyone else through a user namespace (-r).
  local ns=(unshare -n)
  [ "$(id -u)" -eq 0 ] || ns=(unshare -rn)
  "${ns[@]}" bash -c 'ip link set lo up && exec "$0" "$@"' "$harness" "$@"
}

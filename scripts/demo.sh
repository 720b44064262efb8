#!/usr/bin/env bash
# The README's demo: a real headless OBS (Xvfb, fresh profile) with the obs-faceswap filter on the
# bundled sample clip (two public-domain faces from tests/fixtures/faces, panning), a 3.5 s recording
# to .demo/recording.mkv checked frame by frame, one frame to .demo/frame.png, and the counters of
# the host (obs-faceswap-host stats) and of the module (obs-websocket vendor request GetStats).
# Usage: scripts/demo.sh [--mode privacy|diagnostic]   (privacy, the default, masks the faces;
# diagnostic shows the diagnostic stage's inverted centre). The recording ends before the 6 s
# clip loops: at the loop the faces jump 179 px, and for the pipeline's latency (about 2 frames)
# the masks stay where the faces were (a known limitation at scene cuts, see README.md).
#
# The driving logic is C#: tests/ObsFaceSwap.Testing (`obs-faceswap-harness demo`), the same
# harness the end-to-end tests use. OBS runs only inside a private network namespace
# (unshare -n, loopback up): it looks up hosts on the internet at start, and obs-websocket
# listens on every interface.
#
# Installs what is missing (scripts/setup.sh) and builds what is missing (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
root=$(pwd)
bash scripts/setup.sh
out="$root/.demo"

module="${OBS_FACESWAP_MODULE_DIR:-$root/build/native/bin}/obs-faceswap.so"
host="${OBS_FACESWAP_HOST:-$root/src/ObsFaceSwap.Host/bin/Release/net10.0/obs-faceswap-host}"
if [ ! -f "$module" ] || [ ! -x "$host" ]; then
  if [ -f scripts/build.sh ]; then
    bash scripts/build.sh
  else
    cmake -S native-shim -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build/native -j"$(nproc)"
    dotnet build src/ObsFaceSwap.Host -c Release -nologo -clp:ErrorsOnly
  fi
fi
# Outside the namespace: a restore may need the package feed.
dotnet build tests/ObsFaceSwap.Testing -c Release -nologo -clp:ErrorsOnly >/dev/null
harness="$root/tests/ObsFaceSwap.Testing/bin/Release/net10.0/obs-faceswap-harness"

rm -rf "$out"
mkdir -p "$out"
# Root can make a network namespace directly; anyone else through a user namespace (-r).
ns=(unshare -n)
[ "$(id -u)" -eq 0 ] || ns=(unshare -rn)
"${ns[@]}" bash -c 'ip link set lo up && exec "$0" demo --out "$1" --seconds 3.5 "${@:2}"' "$harness" "$out" "$@"

echo
echo "demo: done. Recording: $out/recording.mkv  Frame: $out/frame.png  OBS logs: $out/obs/"

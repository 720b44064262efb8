#!/usr/bin/env bash
# The README's demo: a real headless OBS (Xvfb, fresh profile) with the obs-faceswap filter on the
# bundled sample clip (two public-domain faces from tests/fixtures/faces, panning), an 8 s recording
# to .demo/recording.mkv checked frame by frame, one frame to .demo/frame.png, and the counters of
# the host (obs-faceswap-host stats) and of the module (obs-websocket vendor request GetStats).
# Usage: scripts/demo.sh [--mode privacy|swap|diagnostic]   (privacy, the default, masks the faces;
# swap swaps them with an identity made from Grace Hopper's picture, run by synthetic stand-ins of
# ArcFace and inswapper_128 with the real contracts, since the real models cannot be downloaded
# here; diagnostic shows the diagnostic stage's inverted centre). The recording spans the 6 s clip's
# loop, where the faces jump 179 px: the synced latency mode (the default) masks them there too.
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

rm -rf "$out"
mkdir -p "$out"
source scripts/harness.sh
harness_run demo --out "$out" --seconds 8 "$@"

echo
echo "demo: done. Recording: $out/recording.mkv  Frame: $out/frame.png  OBS logs: $out/obs/"

#!/usr/bin/env bash
# Render-callback benchmark: one real headless OBS (Xvfb, fresh profile, 640x360 at 30 fps,
# preview off) playing the sample clip, in three phases of --seconds each (default 10, after a
# 2 s warm-up): A no filter, B the obs-faceswap filter in mode diagnostic with the host
# running, C the filter in mode off. Reports OBS's frame render time (GetStats
# averageFrameRenderTime) and the filter's own video_render callback time (vendor request
# obs-faceswap GetStats, windowed per phase) to artifacts/bench/render-bench.{json,md}.
#
#   bash scripts/bench-render.sh [--seconds N] [--out DIR]
#
# The driving logic is C#: `obs-faceswap-harness render-bench` (tests/ObsFaceSwap.Testing/Bench).
# OBS runs only inside a private network namespace (unshare -n, loopback up), as in
# scripts/demo.sh. Installs what is missing (scripts/setup.sh) and builds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh

source scripts/harness.sh
harness_run render-bench "$@"

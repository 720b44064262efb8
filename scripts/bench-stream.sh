#!/usr/bin/env bash
# Streaming CPU benchmark: one real headless OBS playing the sample clip and a local nginx-rtmp,
# in three phases of --seconds each (default 10, after a 4 s warm-up): idle (rendering, not
# streaming), the main stream to one destination, and the main stream plus three stream targets
# sharing its encoders (four destinations). Reports OBS's process CPU per phase and the ratio to
# one destination to artifacts/bench/stream/stream-bench.{json,md}.
#
#   bash scripts/bench-stream.sh [--seconds N] [--out DIR]
#
# The driving logic is C#: `obs-faceswap-harness stream-bench` (tests/ObsFaceSwap.Testing/Bench).
# OBS and nginx run only inside a private network namespace (unshare -n, loopback up).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh

source scripts/harness.sh
harness_run stream-bench "$@"

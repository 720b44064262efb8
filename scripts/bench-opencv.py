#!/usr/bin/python3
"""OpenCV reference for BlazeFace's preprocessing (docs/performance.md, issue 3).

Times, on the raw BGRA frames that benchmarks/ObsFaceSwap.Benchmarks writes
(BenchmarkDotNet.Artifacts/faces/faces-WxH.bgra), the OpenCV equivalent of the detector's
letterbox preprocessing into an S x S NHWC RGB float32 tensor in [-1, 1]:

    cv2.resize(frame, fitted size, INTER_LINEAR)   # aspect kept, e.g. 640x360 -> 256x144
    cv2.cvtColor(BGRA -> RGB)                       # on the small image
    tensor.fill(-1); tensor[band] = rgb.astype(float32) / 127.5 - 1

for each frame and model size, with OpenCV on 1 thread and on its default thread count.
Prints one JSON object: per case the median, p10 and p90 of the per-call time in
microseconds. When the benchmark wrote its own tensor beside the frame
(faces-WxH-S.ours.f32), also the largest and mean absolute difference from it.

With --align (issue 4, face swap), times instead the OpenCV equivalent of the swap stage's
per-face host work on the same frames, with the landmarks and transform that
benchmarks/ObsFaceSwap.Benchmarks/AlignmentBenchmarks.cs wrote beside them (align-WxH.json, in
OpenCV's pixel convention):

    cv2.estimateAffinePartial2D(landmarks, template, LMEDS) + cv2.invertAffineTransform
    cv2.warpAffine(frame, M, (S, S), INTER_LINEAR | WARP_INVERSE_MAP, BORDER_REPLICATE)
    cv2.dnn.blobFromImage(crop, 1/255, swapRB=True)              # inswapper's input
    np.clip(255 * output, 0, 255).astype(uint8) -> BGR + mask alpha  # the wire patch

and compares our crop and tensor (align-WxH.ours.bgra / .ours.f32) with OpenCV's.

Run with Debian's interpreter, which has python3-opencv: /usr/bin/python3 scripts/bench-opencv.py
The benchmark program runs it itself after the BenchmarkDotNet run (benchmarks/ObsFaceSwap.Benchmarks).
"""

import argparse
import json
import os
import sys
import time

import cv2
import numpy as np


def preprocess(bgra, size, out):
    """Letterbox resize + BGRA->RGB + normalise into out (size x size x 3 float32)."""
    h, w = bgra.shape[:2]
    scale = size / max(w, h)
    nw, nh = int(round(w * scale)), int(round(h * scale))
    small = cv2.resize(bgra, (nw, nh), interpolation=cv2.INTER_LINEAR)
    rgb = cv2.cvtColor(small, cv2.COLOR_BGRA2RGB)
    out.fill(-1.0)
    x0, y0 = (size - nw) // 2, (size - nh) // 2
    np.subtract(rgb.astype(np.float32) / np.float32(127.5), np.float32(1.0), out=out[y0:y0 + nh, x0:x0 + nw])
    return out


def time_case(bgra, size, min_iterations, min_seconds):
    out = np.empty((size, size, 3), dtype=np.float32)
    return time_call(lambda: preprocess(bgra, size, out), min_iterations, min_seconds), out


def time_call(fn, min_iterations, min_seconds):
    """Median, p10 and p90 of single timed calls of fn(), in microseconds."""
    for _ in range(50):
        fn()
    samples = []
    start = time.perf_counter()
    while len(samples) < min_iterations or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
        if len(samples) >= 100 * min_iterations:
            break
    samples.sort()
    n = len(samples)
    return {
        "iterations": n,
        "median_us": samples[n // 2] / 1000.0,
        "p10_us": samples[n // 10] / 1000.0,
        "p90_us": samples[(9 * n) // 10] / 1000.0,
    }


def align_case(frames, w, h, min_iterations, min_seconds):
    """The swap stage's per-face host work in OpenCV on one frame size (--align)."""
    bgra = np.fromfile(os.path.join(frames, f"faces-{w}x{h}.bgra"), dtype=np.uint8).reshape(h, w, 4)
    with open(os.path.join(frames, f"align-{w}x{h}.json"), encoding="utf-8") as f:
        spec = json.load(f)
    size = spec["size"]
    landmarks = np.array(spec["landmarks"], dtype=np.float32)
    template = np.array(spec["template"], dtype=np.float32)
    m = np.array(spec["crop_to_frame"], dtype=np.float64).reshape(2, 3)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    output = np.random.default_rng(1).random((1, 3, size, size), dtype=np.float32)
    mask = np.full((size, size), 255, dtype=np.uint8)

    def estimate():
        frame_to_crop, _ = cv2.estimateAffinePartial2D(landmarks, template, method=cv2.LMEDS)
        return cv2.invertAffineTransform(frame_to_crop)

    def warp_crop():
        return cv2.warpAffine(bgra, m, (size, size), flags=flags, borderMode=cv2.BORDER_REPLICATE)

    def warp_tensor():
        return cv2.dnn.blobFromImage(warp_crop()[:, :, :3], 1.0 / 255.0, (size, size), (0, 0, 0), swapRB=True)

    def write_patch():
        bgr = np.clip(255 * output[0].transpose(1, 2, 0), 0, 255).astype(np.uint8)[:, :, ::-1]
        return np.dstack((bgr, mask))

    def per_face():
        t = estimate()
        cv2.dnn.blobFromImage(cv2.warpAffine(bgra, t, (size, size), flags=flags, borderMode=cv2.BORDER_REPLICATE)[:, :, :3], 1.0 / 255.0, (size, size), (0, 0, 0), swapRB=True)
        return write_patch()

    case = {"resolution": f"{w}x{h}", "size": size}
    for key, threads in (("threads_1", 1), ("threads_default", cv2.getNumThreads())):
        cv2.setNumThreads(threads)
        case[key] = {name: time_call(fn, min_iterations, min_seconds) for name, fn in
                     (("estimate", estimate), ("warp_crop", warp_crop), ("warp_tensor", warp_tensor),
                      ("write_patch", write_patch), ("per_face", per_face))}
    base = os.path.join(frames, f"align-{w}x{h}")
    if os.path.exists(base + ".ours.bgra"):
        ours = np.fromfile(base + ".ours.bgra", dtype=np.uint8).reshape(size, size, 4).astype(np.int16)
        diff = np.abs(ours[:, :, :3] - warp_crop()[:, :, :3].astype(np.int16))
        case["crop_max_abs_diff"] = int(diff.max())
        case["crop_mean_abs_diff"] = float(diff.mean())
    if os.path.exists(base + ".ours.f32"):
        ours = np.fromfile(base + ".ours.f32", dtype=np.float32).reshape(1, 3, size, size)
        diff = np.abs(ours - warp_tensor())
        case["tensor_max_abs_diff"] = float(diff.max())
        case["tensor_mean_abs_diff"] = float(diff.mean())
    t = estimate()
    case["estimate_max_abs_diff"] = float(np.abs(t - m).max())
    return case


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "BenchmarkDotNet.Artifacts", "faces"))
    parser.add_argument("--resolutions", default="640x360,1280x720")
    parser.add_argument("--sizes", default="128,256")
    parser.add_argument("--iterations", type=int, default=2000, help="at least this many timed calls per case")
    parser.add_argument("--seconds", type=float, default=1.0, help="and at least this long per case")
    parser.add_argument("--align", action="store_true", help="time the face-swap alignment instead (align-WxH.json beside the frames)")
    args = parser.parse_args()

    default_threads = cv2.getNumThreads()
    cases = []
    for resolution in args.resolutions.split(",") if args.align else []:
        w, h = (int(v) for v in resolution.split("x"))
        cases.append(align_case(args.frames, w, h, args.iterations, args.seconds))
    for resolution in [] if args.align else args.resolutions.split(","):
        w, h = (int(v) for v in resolution.split("x"))
        path = os.path.join(args.frames, f"faces-{w}x{h}.bgra")
        raw = np.fromfile(path, dtype=np.uint8)
        if raw.size != w * h * 4:
            sys.exit(f"{path}: {raw.size} bytes, expected {w * h * 4}")
        bgra = raw.reshape(h, w, 4)
        for size in (int(s) for s in args.sizes.split(",")):
            case = {"resolution": resolution, "size": size}
            for key, threads in (("threads_1", 1), ("threads_default", default_threads)):
                cv2.setNumThreads(threads)
                case[key], out = time_case(bgra, size, args.iterations, args.seconds)
            ours_path = os.path.join(args.frames, f"faces-{w}x{h}-{size}.ours.f32")
            if os.path.exists(ours_path):
                ours = np.fromfile(ours_path, dtype=np.float32)
                if ours.size == out.size:
                    diff = np.abs(ours.reshape(out.shape) - out)
                    case["max_abs_diff"] = float(diff.max())
                    case["mean_abs_diff"] = float(diff.mean())
            cases.append(case)
    cv2.setNumThreads(default_threads)
    print(json.dumps({
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "default_threads": default_threads,
        "cases": cases,
    }))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PySceneDetect's ContentDetector pipeline on OpenCV, as a reference for Segue's TypeScript port.

PySceneDetect itself cannot be installed on our build machines (no Debian package, no PyPI), but
the library it runs on can: Debian's python3-opencv. This script does what PySceneDetect's
SceneManager + ContentDetector do with their defaults, written from their documented behaviour:
decode with cv2.VideoCapture, downscale so the longer side is 256 px (cv2.resize, INTER_LINEAR),
cv2.cvtColor to HSV, mean absolute differences of H, S, V (and Canny edges when weighted), the
weighted score, and the flash filter in MERGE mode with min_scene_len frames.

Usage: content_detector_cv2.py VIDEO [--threshold 27] [--min-scene-len 15] [--weights 1,1,1,0]
Prints JSON: {"size": [w, h], "frames": n, "scores": [...], "cuts": [frame, ...]}.
"""

import argparse
import json
import math

import cv2
import numpy as np


def downscale_size(w, h, effective=256):
    longer = max(w, h)
    if longer < effective:
        return None
    f = longer / float(effective)
    return (max(1, round(w / f)), max(1, round(h / f)))


def edges_of(lum):
    k = 4 + round(math.sqrt(lum.shape[1] * lum.shape[0]) / 192)
    if k % 2 == 0:
        k += 1
    sigma = 1.0 / 3.0
    median = np.median(lum)
    low = int(max(0, (1.0 - sigma) * median))
    high = int(min(255, (1.0 + sigma) * median))
    return cv2.dilate(cv2.Canny(lum, low, high), np.ones((k, k), np.uint8))


def mean_distance(a, b):
    return float(np.sum(np.abs(a.astype(np.int32) - b.astype(np.int32)))) / float(a.shape[0] * a.shape[1])


class Merge:
    """The flash filter's MERGE mode: bursts of above-threshold frames closer than `length` are one cut."""

    def __init__(self, length):
        self.length = length
        self.last_above = None
        self.merge_enabled = False
        self.merge_triggered = False
        self.merge_start = None

    def filter(self, frame, above):
        if self.length <= 0:
            return [frame] if above else []
        if self.last_above is None:
            self.last_above = frame
        min_length_met = frame - self.last_above >= self.length
        if above:
            self.last_above = frame
        if self.merge_triggered:
            if min_length_met and not above and self.last_above - self.merge_start >= self.length:
                self.merge_triggered = False
                return [self.last_above]
            return []
        if not above:
            return []
        if min_length_met:
            self.merge_enabled = True
            return [frame]
        if self.merge_enabled:
            self.merge_triggered = True
            self.merge_start = frame
        return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("video")
    ap.add_argument("--threshold", type=float, default=27.0)
    ap.add_argument("--min-scene-len", type=int, default=15)
    ap.add_argument("--weights", default="1,1,1,0")
    a = ap.parse_args()
    weights = [float(x) for x in a.weights.split(",")]
    cap = cv2.VideoCapture(a.video)
    if not cap.isOpened():
        raise SystemExit(f"cannot open {a.video}")
    w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
    h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    size = downscale_size(w, h)
    flash = Merge(a.min_scene_len)
    last = None
    scores, cuts = [], []
    n = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if size:
            frame = cv2.resize(frame, size, interpolation=cv2.INTER_LINEAR)
        hue, sat, lum = cv2.split(cv2.cvtColor(frame, cv2.COLOR_BGR2HSV))
        edges = edges_of(lum) if weights[3] > 0 else None
        if last is None:
            score = 0.0
        else:
            parts = [mean_distance(hue, last[0]), mean_distance(sat, last[1]), mean_distance(lum, last[2]),
                     0.0 if edges is None else mean_distance(edges, last[3])]
            score = sum(c * wt for c, wt in zip(parts, weights)) / sum(abs(wt) for wt in weights)
        last = (hue, sat, lum, edges)
        scores.append(round(score, 4))
        # The first frame scores 0, below any threshold, as PySceneDetect's does.
        cuts += flash.filter(n, score >= a.threshold)
        n += 1
    out_size = list(size) if size else [w, h]
    print(json.dumps({"size": out_size, "frames": n, "scores": scores, "cuts": cuts}))


if __name__ == "__main__":
    main()

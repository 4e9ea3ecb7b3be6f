"""The learned line model: gradient-boosted trees over `line_features`, scored with NumPy;
then segment trees that see each line's probability next to its neighbours' (the
body-segment decision).

The model file (line_model.json, next to this module) holds the trees as plain arrays,
the feature names it was trained on and its metadata (training sets, their licences,
seed, the command that rebuilt it). It is trained by bench/train_line_model.py; nothing
is downloaded at run time and scikit-learn is needed only to train.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from newsetl.tasks.cleanup.line_features import feature_names

MODEL_PATH = Path(__file__).with_name("line_model.json")


@dataclass(frozen=True)
class Trees:
    """Boosted trees: per tree, arrays of split feature, threshold, children, leaf flag and value."""

    baseline: float
    trees: tuple[dict[str, np.ndarray], ...]

    @cached_property
    def _packed(self) -> tuple[np.ndarray, ...]:
        """All trees as (trees x nodes) arrays, padded with leaves, to walk them at once."""
        width = max(len(t["leaf"]) for t in self.trees)

        def pad(key: str, fill) -> np.ndarray:
            return np.array([np.concatenate([t[key], np.full(width - len(t[key]), fill, dtype=t[key].dtype)]) for t in self.trees])

        return pad("feature", 0), pad("threshold", 0.0), pad("left", 0), pad("right", 0), pad("leaf", True), pad("value", 0.0)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Return the probability of the positive class for each row of `features`."""
        if len(features) == 0 or not self.trees:
            return np.full(len(features), 1.0 / (1.0 + np.exp(-self.baseline)))
        feature, threshold, left, right, leaf, value = self._packed
        tree = np.arange(len(self.trees))[:, None]
        rows = np.arange(len(features))[None, :]
        node = np.zeros((len(self.trees), len(features)), dtype=np.int64)
        while True:
            inner = ~leaf[tree, node]
            if not inner.any():
                break
            go_left = features[rows, feature[tree, node]] <= threshold[tree, node]
            node = np.where(inner, np.where(go_left, left[tree, node], right[tree, node]), node)
        raw = self.baseline + value[tree, node].sum(axis=0)
        return 1.0 / (1.0 + np.exp(-raw))

    def to_json(self) -> dict:
        """The trees as JSON-ready data (what `_trees_from_json` reads back)."""
        return {
            "baseline": self.baseline,
            "trees": [
                {
                    "feature": t["feature"].tolist(), "threshold": [round(float(x), 6) for x in t["threshold"]],
                    "left": t["left"].tolist(), "right": t["right"].tolist(), "leaf": t["leaf"].astype(int).tolist(),
                    "value": [round(float(x), 6) for x in t["value"]],
                }
                for t in self.trees
            ],
        }


def segment_context(p: np.ndarray) -> np.ndarray:
    """The body-segment view of a page's line probabilities: each line's own, the mean over
    windows of 1, 2, 5 and 10 lines either side, its neighbours', and the share of the
    page's body mass before and after it."""
    n = len(p)
    if n == 0:
        return np.zeros((0, 9), dtype=np.float32)
    cum = np.concatenate([[0.0], np.cumsum(p)])
    idx = np.arange(n)

    def window(r: int) -> np.ndarray:
        lo, hi = np.clip(idx - r, 0, n), np.clip(idx + r + 1, 0, n)
        return (cum[hi] - cum[lo]) / (hi - lo)

    total = cum[-1] or 1.0
    prev = np.concatenate([[0.0], p[:-1]])
    nxt = np.concatenate([p[1:], [0.0]])
    return np.column_stack([
        p, window(1), window(2), window(5), window(10), np.maximum(prev, nxt), cum[:-1] / total, (total - cum[1:]) / total,
        np.full(n, p.mean()),
    ]).astype(np.float32)


@dataclass(frozen=True)
class LineModel:
    """Line trees over `line_features`, then (optionally) segment trees over the same
    features and `segment_context` of the line trees' probabilities: the body-segment decision."""

    lines: Trees
    segment: Trees | None
    features: tuple[str, ...]
    metadata: dict

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Return, for each row of `features` (columns `feature_names()`), the probability that the line is body."""
        p = self.lines.probabilities(features)
        if self.segment is None or len(features) == 0:
            return p
        return self.segment.probabilities(np.column_stack([features, segment_context(p)]))

    def to_json(self) -> dict:
        """The model as JSON-ready data (what `from_json` reads back)."""
        return {
            "metadata": self.metadata, "features": list(self.features), "lines": self.lines.to_json(),
            "segment": self.segment.to_json() if self.segment else None,
        }


def _trees_from_json(data: dict) -> Trees:
    trees = tuple(
        {
            "feature": np.array(t["feature"], dtype=np.int64), "threshold": np.array(t["threshold"], dtype=np.float64),
            "left": np.array(t["left"], dtype=np.int64), "right": np.array(t["right"], dtype=np.int64),
            "leaf": np.array(t["leaf"], dtype=bool), "value": np.array(t["value"], dtype=np.float64),
        }
        for t in data["trees"]
    )
    return Trees(float(data["baseline"]), trees)


def from_json(data: dict) -> LineModel:
    """Build a LineModel from `to_json` data; raises ValueError when its features are not ours."""
    if data["features"] != feature_names():
        raise ValueError("line model trained on other features than line_features computes: retrain it")
    segment = _trees_from_json(data["segment"]) if data.get("segment") else None
    return LineModel(_trees_from_json(data["lines"]), segment, tuple(data["features"]), data.get("metadata", {}))


@lru_cache(maxsize=1)
def shipped_model() -> LineModel | None:
    """The model shipped with the package, or None when there is none (the rules then decide alone)."""
    if not MODEL_PATH.exists():
        return None
    return from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))

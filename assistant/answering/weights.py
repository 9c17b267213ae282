"""The fitted models' shared form: weights over named features, a bias, and (for a decision) a threshold."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path


def linear(weights: dict[str, float], bias: float, features: dict[str, float]) -> float:
    return bias + sum(w * features.get(name, 0.0) for name, w in weights.items())


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class LogisticModel:
    """P(yes | features); the answer is yes from `threshold` up."""
    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, features: dict[str, float]) -> float:
        return sigmoid(linear(self.weights, self.bias, features))

    def to_dict(self) -> dict[str, object]:
        return {"weights": self.weights, "bias": self.bias, "threshold": self.threshold}

    @classmethod
    def load(cls, path: Path) -> LogisticModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]), float(data["threshold"]))

"""Classification metrics with stable names, and the plots and reports logged beside them."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score, precision_recall_fscore_support


def classification_metrics(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str], prefix: str) -> dict[str, float]:
    """`{prefix}_macro_f1`, `{prefix}_accuracy` and `{prefix}_f1_<label>` for every label, stable names for MLflow."""
    precision, recall, f1, _ = precision_recall_fscore_support(y_true, y_pred, labels=list(labels), zero_division=0)
    metrics = {
        f"{prefix}_macro_f1": float(np.mean(f1)),
        f"{prefix}_accuracy": float(accuracy_score(y_true, y_pred)),
    }
    for label, p, r, f in zip(labels, precision, recall, f1):
        metrics[f"{prefix}_f1_{label}"] = float(f)
        metrics[f"{prefix}_precision_{label}"] = float(p)
        metrics[f"{prefix}_recall_{label}"] = float(r)
    return metrics


def half_macro_f1(examples: Sequence, predictions: Sequence[str], labels: Sequence[str], prefix: str = "real_dev") -> dict[str, float]:
    """`{prefix}_analysis_macro_f1` and `{prefix}_blind_macro_f1` on the fixed halves of a measuring set (data/measuring.py).

    Empty for files without row ids, where no halves are defined.
    """
    from misread.data.measuring import measuring_halves

    if not all(e.id for e in examples):
        return {}
    predicted = {id(e): p for e, p in zip(examples, predictions)}
    return {
        f"{prefix}_{half}_macro_f1": float(f1_score([e.label for e in rows], [predicted[id(e)] for e in rows], labels=list(labels), average="macro", zero_division=0))
        for half, rows in measuring_halves(list(examples)).items()
    }


def report_text(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> str:
    return classification_report(y_true, y_pred, labels=list(labels), digits=3, zero_division=0)


def plot_confusion_matrix(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str], title: str, path: str | Path) -> Path:
    """Counts with row-normalised shading, so small classes are as readable as large ones."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = confusion_matrix(y_true, y_pred, labels=list(labels))
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(5.5, 4.8))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", color="white" if shares[i, j] > 0.5 else "black")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def expected_calibration_error(probabilities: np.ndarray, gold: Sequence[int], bins: int = 15) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(gold)
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            error += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(error)


def plot_reliability(probabilities: np.ndarray, gold: Sequence[int], title: str, path: str | Path, bins: int = 10) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(gold)
    edges = np.linspace(0, 1, bins + 1)
    centres, accuracy, counts = [], [], []
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            centres.append(confidence[in_bin].mean())
            accuracy.append(correct[in_bin].mean())
            counts.append(int(in_bin.sum()))
    fig, ax = plt.subplots(figsize=(4.8, 4.4))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.plot(centres, accuracy, "o-", label="model")
    for x, y, n in zip(centres, accuracy, counts):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path

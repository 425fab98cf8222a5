"""Classification metrics with stable names, and the plots and reports logged beside them."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, precision_recall_fscore_support


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

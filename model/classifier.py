"""The framing classifier: a sequence-classification transformer that carries its own label set.

`predict_proba` columns follow `labels`; `predict` returns label strings (scikit-learn conventions).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from misread.model.base_models import resolve_base_model

SETTINGS_FILE = "misread_settings.json"  # inference settings saved beside the weights
MAX_LENGTH = 96  # tokens per sentence in training; a saved model carries the value it was trained with
DEFAULT_PRECISION = "auto"  # the one default for misread analyze, the pyfunc (Spark, serving) and evaluation
DEFAULT_DEVICE = "auto"
PRECISIONS = ("auto", "fp32", "bf16")
DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device: str = "auto") -> torch.device:
    """auto: CUDA when a GPU is present, else the CPU."""
    if device not in DEVICES:
        raise ValueError(f"device {device!r}: choose one of {DEVICES}")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' asked for, but torch sees no CUDA GPU; use --device cpu or auto")
    return torch.device("cuda" if device == "cuda" or (device == "auto" and torch.cuda.is_available()) else "cpu")
SHAPE_STEP = 8  # pad widths to multiples of this: fewer distinct shapes, better AMX/AVX-512 tiling


def bf16_is_fast() -> bool:
    """bf16 matmuls run natively (AVX512-BF16 / AMX) on this CPU; elsewhere they are emulated and slow."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


class ModelLoadError(RuntimeError):
    """A model folder that is missing, truncated or inconsistent."""


def _is_local(name_or_path: str) -> bool:
    return Path(name_or_path).exists()


class FramingClassifier:
    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        max_length: int = MAX_LENGTH,
        batch_size: int = 64,
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.batch_size = batch_size
        self._check_label_map()

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def to(self, device: str | torch.device = "auto") -> "FramingClassifier":
        self.model = self.model.to(resolve_device(device) if isinstance(device, str) else device)
        return self

    def set_precision(self, precision: str = "auto") -> "FramingClassifier":
        """Inference precision: bf16 weights roughly triple throughput on CPUs with native bf16 and on GPUs (see
        benchmark.py). Only for inference: training keeps fp32 weights.
        """
        if precision not in PRECISIONS:
            raise ValueError(f"precision {precision!r}: choose one of {PRECISIONS}")
        native = self.device.type == "cuda" or bf16_is_fast()
        use_bf16 = precision == "bf16" or (precision == "auto" and native)
        self.model = self.model.to(torch.bfloat16 if use_bf16 else torch.float32)
        return self

    # ---- construction -------------------------------------------------------------------------------------------
    @classmethod
    def from_base(cls, base_model: str, labels: Sequence[str], max_length: int = MAX_LENGTH) -> "FramingClassifier":
        """A fresh classification head over a pretrained encoder: a packaged one by short name (`mpnet`, `minilm`),
        a local folder, or a hub id (only fetched when the user passes one).
        """
        name = resolve_base_model(base_model)
        local = _is_local(name)
        tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=local)
        model = AutoModelForSequenceClassification.from_pretrained(
            name,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            ignore_mismatched_sizes=True,  # a base model may carry another head; ours is always new
            local_files_only=local,
        )
        return cls(model, tokenizer, max_length=max_length)

    @classmethod
    def from_pretrained(cls, path: str | Path, batch_size: int = 64, precision: str = DEFAULT_PRECISION, device: str = DEFAULT_DEVICE) -> "FramingClassifier":
        """Load a folder written by `save`; refuses folders that are incomplete or whose labels disagree with the head."""
        path = Path(path)
        if not path.is_dir():
            raise ModelLoadError(f"{path}: no model folder here; train one with `python training/train.py`.")
        if not (path / "config.json").exists():
            raise ModelLoadError(f"{path}: config.json is missing; the folder is not a saved framing classifier.")
        settings_file = path / SETTINGS_FILE
        try:
            settings = json.loads(settings_file.read_text()) if settings_file.exists() else {}
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True)
        except Exception as err:  # transformers raises many types for truncated or corrupt weights
            raise ModelLoadError(f"{path}: cannot load the model ({err}); the folder may be truncated, retrain or re-download it.") from err
        classifier = cls(model, tokenizer, max_length=settings.get("max_length", MAX_LENGTH), batch_size=batch_size)
        if "labels" in settings and settings["labels"] != classifier.labels:
            raise ModelLoadError(
                f"{settings_file}: saved labels {settings['labels']} disagree with the model head's {classifier.labels}; "
                "the folder mixes two models, retrain or re-download it."
            )
        return classifier.to(device).set_precision(precision)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        (path / SETTINGS_FILE).write_text(json.dumps({"max_length": self.max_length, "labels": self.labels}, indent=2))
        return path

    # ---- labels -------------------------------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        id2label = self.model.config.id2label
        return [id2label[i] for i in range(len(id2label))]

    def _check_label_map(self) -> None:
        id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        head_size = self.model.config.num_labels
        if sorted(id2label) != list(range(head_size)):
            raise ModelLoadError(
                f"label map {id2label} does not match the classifier head of {head_size} outputs; "
                "the model folder is inconsistent, retrain it."
            )
        self.model.config.id2label = id2label

    # ---- inference ----------------------------------------------------------------------------------------------
    def _batches(self, texts: Sequence[str]):
        """Yield (positions, batch) in order of token length, each padded only to its own longest sentence.

        Widths round up to a multiple of 8 and short final batches are filled with copies of their first row, so
        the set of tensor shapes stays small: oneDNN caches kernels per shape, and a long batch job would
        otherwise keep adding to that cache (memory growth) and pay for new kernels.
        """
        encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)["input_ids"]
        lengths = np.array([len(ids) for ids in encoded])
        order = np.argsort(lengths, kind="stable")
        pad_id = self.tokenizer.pad_token_id or 0
        for start in range(0, len(order), self.batch_size):
            positions = order[start : start + self.batch_size]
            width = -(-int(lengths[positions].max()) // SHAPE_STEP) * SHAPE_STEP
            rows = len(positions) if len(order) <= self.batch_size else self.batch_size
            input_ids = torch.full((rows, width), pad_id, dtype=torch.long)
            attention_mask = torch.zeros((rows, width), dtype=torch.long)
            for row in range(rows):
                index = positions[row] if row < len(positions) else positions[0]
                input_ids[row, : lengths[index]] = torch.tensor(encoded[index])
                attention_mask[row, : lengths[index]] = 1
            yield positions, {"input_ids": input_ids, "attention_mask": attention_mask}

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, one row per text, one column per label in `self.labels` order."""
        probabilities = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        if len(texts) == 0:
            return probabilities
        with torch.inference_mode():
            device = self.device
            for positions, batch in self._batches(texts):
                logits = self.model(**{k: v.to(device) for k, v in batch.items()}).logits[: len(positions)]
                probabilities[positions] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        return probabilities

    def predict(self, texts: Sequence[str]) -> list[str]:
        labels = self.labels
        return [labels[i] for i in self.predict_proba(texts).argmax(axis=1)]

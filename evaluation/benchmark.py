"""Throughput benchmark: the naive Hugging Face pipeline against the project's inference path, in one run.

    python evaluation/benchmark.py                    # about 10 minutes on 2 CPU cores
    python evaluation/benchmark.py --large-articles 0  # skip the 2,000-article memory check

Reports sentences/s (naive vs project path, fp32 and bf16), achieved GFLOP/s against the machine's measured fp32
matmul GFLOP/s, `misread analyze` articles/s and peak RSS on generated 800-word articles (200 and 2,000), and
training samples/s. Prints one table, writes JSON, and logs a `benchmark` run to MLflow.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path


import numpy as np
import psutil
import torch

from misread.data import REAL_DEV_FILE, SPLIT_FILES
from misread.data.loading import load_examples
from misread.model.classifier import DEFAULT_DEVICE, DEVICES, FramingClassifier, resolve_device
from misread.model.tracking import KIND_TAG, BENCHMARK_EXPERIMENT_NAME, load_classifier, misread_home, start_tracked_run, use_experiment


def corpus_texts() -> list[str]:
    return [e.text for split in ("train", "validation", "test") for e in load_examples(SPLIT_FILES[split])]


def fixed_sentences(count: int, seed: int) -> list[str]:
    texts = corpus_texts()
    random.Random(seed).shuffle(texts)
    return (texts * (count // len(texts) + 1))[:count]


def matmul_gflops(size: int = 2048, repeats: int = 20) -> float:
    """The machine's fp32 matrix-multiply rate with the threads torch uses: the roofline for the encoder."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(3):
        a @ b
    started = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9


def encoder_flops(model, token_counts: list[int]) -> float:
    """Forward FLOPs from real (unpadded) token counts: 2 per weight per token, plus attention scores and mixing."""
    config = model.config
    embedding = sum(p.numel() for n, p in model.named_parameters() if "embeddings" in n)
    weights = sum(p.numel() for p in model.parameters()) - embedding
    hidden, layers = config.hidden_size, config.num_hidden_layers
    return float(sum(2 * weights * n + 4 * layers * hidden * n * n for n in token_counts))


def time_it(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def naive_pipeline_rate(classifier: FramingClassifier, texts: list[str]) -> float:
    from transformers import pipeline

    pipe = pipeline("text-classification", model=classifier.model, tokenizer=classifier.tokenizer, batch_size=32, device=classifier.device)
    pipe(texts[:32], truncation=True, max_length=classifier.max_length)  # warm-up
    seconds, _ = time_it(lambda: pipe(texts, truncation=True, max_length=classifier.max_length))
    return len(texts) / seconds


def write_articles(folder: Path, count: int, words: int, seed: int) -> None:
    """News-like articles of about `words` words: a headline and paragraphs of corpus sentences."""
    rng = random.Random(seed)
    texts = corpus_texts()
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        paragraphs, total = [], 0
        while total < words:
            paragraph = " ".join(rng.choice(texts) for _ in range(3))
            paragraphs.append(paragraph)
            total += len(paragraph.split())
        (folder / f"{index:05d}.txt").write_text(f"Article {index}\n" + "\n\n".join(paragraphs), encoding="utf-8")


def proportional_memory(process: psutil.Process) -> int:
    """PSS where the system reports it (Linux), else RSS."""
    try:
        return process.memory_full_info().pss
    except (AttributeError, psutil.AccessDenied):
        return process.memory_info().rss


def run_analyze(articles: Path, model_dir: Path, scratch: Path, extra: tuple[str, ...] = ()) -> dict[str, float]:
    """`misread analyze` as a user runs it, in its own process; peak memory sampled every 0.1 s, summed over the
    process and its parser workers as PSS (pages the forked workers share with it are counted once, not per process)."""
    out = scratch / f"{articles.name}.jsonl"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "misread.model.cli", "analyze", str(articles), "--out", str(out), "--model", str(model_dir), "--quiet", *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    handle, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            peak = max(peak, sum(proportional_memory(p) for p in [handle, *handle.children(recursive=True)]))
        except psutil.NoSuchProcess:
            pass  # a worker, or the command itself, ended between listing and reading: the next sample will tell
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):  # 1 means some articles had errors; anything else is a failed run
        raise SystemExit(f"misread analyze failed (exit {process.returncode}): {' '.join(command)}")
    with out.open() as handle:
        rows = sum(1 for _ in handle)
    return {"seconds": seconds, "articles": rows, "peak_memory_mb": peak / 2**20}


def training_rate(model_dir: Path, texts: list[str], labels: list[int], device: torch.device, steps: int = 8) -> float:
    """Samples/s of train.py's own Trainer (`build_trainer`: its loss, sampler, precision and optimizer) with train.py's
    defaults, timed over `steps` optimisation steps after one warm-up step."""
    from transformers import TrainerCallback

    from misread.model.classifier import FramingClassifier
    from misread.training.train import EpochSampler, FramingRows, build_trainer, parse_args

    class StepClock(TrainerCallback):
        def __init__(self) -> None:
            self.times: list[float] = []

        def on_step_end(self, args, state, control, **kwargs):
            self.times.append(time.perf_counter())

    args = parse_args([])  # train.py's defaults, as a user gets them
    classifier = FramingClassifier.from_pretrained(model_dir, precision="fp32", device=device.type)
    encoded = [dict(classifier.tokenizer(text, truncation=True, max_length=args.max_length)) for text in texts[: (steps + 1) * args.batch_size]]
    rows = FramingRows(encoded, labels[: len(encoded)])
    sampler = EpochSampler([len(e["input_ids"]) for e in encoded], len(encoded), 0, args.batch_size, args.seed, args.group_by_length)
    clock = StepClock()
    with tempfile.TemporaryDirectory() as scratch:
        trainer = build_trainer(args, classifier, rows, sampler, None, Path(scratch), device, callbacks=[clock], max_steps=steps + 1)
        trainer.remove_callback(next(c for c in trainer.callback_handler.callbacks if type(c).__name__ == "ProgressCallback"))
        trainer.train()
    return steps * args.batch_size / (clock.times[-1] - clock.times[0])


def cpu_description() -> dict[str, str]:
    """CPU model and the instruction sets that decide the precision path (AVX2, AVX-512, native bf16, AMX)."""
    from misread.model.classifier import bf16_is_fast

    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), platform.processor())
    flags = set(next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), []))
    wanted = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
    return {"cpu": model or platform.machine(), "cpu_flags": " ".join(f for f in wanted if f in flags) or "none of " + ",".join(wanted),
            "bf16_native": str(bf16_is_fast())}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model folder or MLflow URI (default: the registry alias)")
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--large-articles", type=int, default=2000, help="0 skips the memory-flatness run")
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=misread_home() / "outputs" / "benchmark.json")
    parser.add_argument("--tracking-uri")
    parser.add_argument("--device", default=DEFAULT_DEVICE, choices=DEVICES, help="auto: a CUDA GPU when there is one")
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    device = resolve_device(args.device)

    results: dict[str, float | str] = {**cpu_description(), "device": str(device), "threads": torch.get_num_threads()}
    if device.type == "cuda":
        results["gpu"] = torch.cuda.get_device_name(device)
    # fp32 first, as a user without native bf16 runs it: the naive pipeline and the fp32 path are measured on it.
    classifier = load_classifier(args.model, args.tracking_uri, precision="fp32", device=str(device))
    texts = fixed_sentences(args.sentences, args.seed)
    token_counts = [len(ids) for ids in classifier.tokenizer(texts, truncation=True, max_length=classifier.max_length)["input_ids"]]
    flops = encoder_flops(classifier.model, token_counts)
    results["matmul_fp32_gflops"] = matmul_gflops()

    # ---- classifier: naive pipeline vs project path --------------------------------------------------------------
    results["naive_sentences_per_s"] = naive_pipeline_rate(classifier, texts)
    classifier.predict_proba(texts[:64])
    seconds, reference = time_it(lambda: classifier.predict_proba(texts))
    results["project_fp32_sentences_per_s"] = len(texts) / seconds
    results["project_fp32_gflops"] = flops / seconds / 1e9
    check_texts = [e.text for e in load_examples(REAL_DEV_FILE)] if REAL_DEV_FILE.exists() else texts
    fp32_check = classifier.predict_proba(check_texts).argmax(axis=1)
    classifier.set_precision("auto")
    results["project_precision"] = str(next(classifier.model.parameters()).dtype).removeprefix("torch.")
    classifier.predict_proba(texts[:64])
    seconds, _ = time_it(lambda: classifier.predict_proba(texts))
    results["project_sentences_per_s"] = len(texts) / seconds
    results["project_gflops"] = flops / seconds / 1e9
    results["label_agreement_with_fp32"] = float(np.mean(classifier.predict_proba(check_texts).argmax(axis=1) == fp32_check))
    results["agreement_checked_on"] = "real dev sentences" if REAL_DEV_FILE.exists() else "benchmark sentences"
    results["speedup_vs_naive"] = results["project_sentences_per_s"] / results["naive_sentences_per_s"]
    results["fraction_of_fp32_matmul_limit"] = results["project_gflops"] / results["matmul_fp32_gflops"]
    results["fp32_fraction_of_fp32_matmul_limit"] = results["project_fp32_gflops"] / results["matmul_fp32_gflops"]

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        model_dir = classifier.set_precision("fp32").save(scratch / "model")
        # ---- training samples/s ----------------------------------------------------------------------------------
        train = load_examples(SPLIT_FILES["train"])
        label_ids = {label: i for i, label in enumerate(classifier.labels)}
        results["train_samples_per_s"] = training_rate(model_dir, [e.text for e in train], [label_ids[e.label] for e in train], device)
        # ---- misread analyze: startup, 200 and 2,000 articles ---------------------------------------------------
        write_articles(scratch / "one", 1, args.words, args.seed)
        startup = run_analyze(scratch / "one", model_dir, scratch)["seconds"]
        results["analyze_startup_s"] = startup
        for name, count in (("analyze", args.articles), ("analyze_large", args.large_articles)):
            if not count:
                continue
            folder = scratch / f"articles_{count}"
            write_articles(folder, count, args.words, args.seed)
            run = run_analyze(folder, model_dir, scratch)
            results[f"{name}_articles"] = run["articles"]
            results[f"{name}_articles_per_s"] = run["articles"] / max(run["seconds"] - startup, 1e-9)
            results[f"{name}_peak_memory_mb"] = run["peak_memory_mb"]
            if name == "analyze":  # the worst case: --sentences classifies every sentence, not only the two sides'
                run = run_analyze(folder, model_dir, scratch, ("--sentences", str(scratch / "sentences.jsonl")))
                results["analyze_every_sentence_articles_per_s"] = run["articles"] / max(run["seconds"] - startup, 1e-9)
        if args.large_articles:
            results["memory_growth_large_vs_small"] = results["analyze_large_peak_memory_mb"] / results["analyze_peak_memory_mb"] - 1

    report(results, args.out, args.tracking_uri)
    return results


def report(results: dict, out: Path, tracking_uri: str | None) -> None:
    print(f"\n{'measure':40} value")
    print("-" * 56)
    for key, value in results.items():
        print(f"{key:40} {value:.3f}" if isinstance(value, float) else f"{key:40} {value}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {out}")
    import mlflow

    use_experiment(BENCHMARK_EXPERIMENT_NAME, tracking_uri)
    with start_tracked_run(run_name="benchmark", tags={KIND_TAG: "benchmark"}):
        mlflow.log_params({k: v for k, v in results.items() if isinstance(v, str) or k == "threads"})
        mlflow.log_metrics({k: float(v) for k, v in results.items() if isinstance(v, (int, float)) and k != "threads"})
        mlflow.log_artifact(str(out))


if __name__ == "__main__":
    main()

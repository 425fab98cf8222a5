"""train.py end to end: a tiny random BERT for the unit test, the packaged MiniLM for the integration test."""
import json
import re
import signal
import subprocess
import time

import mlflow
import pandas as pd
import pytest
import torch

from misread.model.tracking import EXPERIMENT_NAME, MODEL_ALIAS, REGISTERED_MODEL_NAME
from misread.data import TEACHER_FILE
from misread.training.train import NO_GOLD, EpochSampler, FramingRows, FramingTrainer, collator, default_run_name, distillation_loss, epoch_sample, load_teacher, main, parse_args, split_heldout, teacher_agreement, training_loss
from misread.data.loading import Example
from tests.helpers import LABELS, run_training, train_command, write_jsonl


def test_defaults_are_visible_and_overridable():
    args = parse_args(["--epochs", "3", "--learning-rate", "1e-4"])
    assert (args.epochs, args.learning_rate, args.base_model) == (3, 1e-4, "minilm")


def test_each_packaged_encoder_brings_its_own_epochs_learning_rate_and_teacher():
    default = parse_args([])
    assert (default.epochs, default.learning_rate, default.teacher_file) == (2, 8e-5, str(TEACHER_FILE))
    mpnet = parse_args(["--base_model", "mpnet"])
    assert (mpnet.epochs, mpnet.learning_rate, mpnet.teacher_file) == (3, 3e-5, "")
    assert parse_args(["--epochs", "1", "--teacher_file", ""]).teacher_file == ""


def test_distillation_pulls_the_student_toward_the_teacher():
    logits = torch.tensor([[2.0, 0.0, 0.0, 0.0]])
    agreeing, disagreeing = torch.tensor([[0.97, 0.01, 0.01, 0.01]]), torch.tensor([[0.01, 0.97, 0.01, 0.01]])
    assert distillation_loss(logits, agreeing, 2.0) < distillation_loss(logits, disagreeing, 2.0)


def teacher_row(text: str, source: str, favoured: str) -> dict:
    return {"text": text, "source": source, "proba": {label: 0.7 if label == favoured else 0.1 for label in LABELS}}


def test_the_teacher_file_gives_training_rows_in_order_and_unlabelled_sentences_apart(tmp_path):
    path = write_jsonl(tmp_path / "teacher.jsonl", [
        teacher_row("Unseen by gold.", "unlabelled", "speculative"),
        teacher_row("Talks took place.", "train", "neutral"),
    ])
    train = [Example("We will never yield.", "hardline", "t.jsonl:1"), Example("Talks took place.", "neutral", "t.jsonl:2")]
    table, unlabelled, unlabelled_table = load_teacher(str(path), train, LABELS)
    assert table[0].tolist() == [0.0, 1.0, 0.0, 0.0]  # the teacher never saw it: its gold label, one-hot
    assert table[1].argmax().item() == LABELS.index("neutral")
    assert unlabelled == ["Unseen by gold."]
    assert unlabelled_table.argmax(dim=1).tolist() == [LABELS.index("speculative")]


def test_a_batch_of_unlabelled_sentences_learns_from_the_teacher_alone(tiny_classifier):
    network, tokenizer = tiny_classifier.model, tiny_classifier.tokenizer
    rows = FramingRows([dict(tokenizer(t)) for t in ("Unseen by gold.", "Another one.")], [NO_GOLD, NO_GOLD], torch.tensor([[0.1, 0.1, 0.1, 0.7]] * 2))
    batch = collator(tokenizer)([rows[0], rows[1]])
    targets, teacher = batch.pop("labels"), batch.pop("teacher")
    network.train()
    loss = training_loss(network(**batch).logits.float(), targets, teacher, torch.nn.CrossEntropyLoss(), parse_args(["--distill_alpha", "0.5"]))
    loss.backward()
    assert loss > 0 and loss == loss  # finite, not NaN from an empty cross-entropy
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in network.parameters())
    network.zero_grad()
    network.eval()


def test_unlabelled_teacher_rows_join_training_and_are_logged(corpus_files, tracking_uri, tiny_model_dir, tmp_path):
    train = [json.loads(line) for line in corpus_files["train"].read_text().splitlines()]
    teacher = write_jsonl(tmp_path / "teacher.jsonl", [teacher_row(row["text"], "train", row["label"]) for row in train]
                          + [teacher_row(f"Unlabelled sentence {i}.", "unlabelled", "neutral") for i in range(5)])
    result = run_training(corpus_files, tracking_uri, tiny_model_dir, "--epochs", "1", "--batch_size", "4",
                          "--teacher_file", str(teacher), "--distill_heldout", "2", "--no_register")
    run = mlflow.get_run(result["run_id"])
    assert (run.data.params["unlabelled_rows"], run.data.params["heldout_rows"]) == ("3", "2")
    assert 0.0 <= run.data.metrics["heldout_teacher_macro_f1"] <= 1.0
    without = run_training(corpus_files, tracking_uri, tiny_model_dir, "--epochs", "1", "--batch_size", "4",
                           "--teacher_file", str(teacher), "--distill_unlabelled", "false", "--no_register")
    assert mlflow.get_run(without["run_id"]).data.params["unlabelled_rows"] == "0"


def test_the_held_out_sentences_are_the_same_in_every_run_and_their_near_duplicates_are_never_trained_on():
    pool = [" ".join(f"word{i}x{k}" for k in range(8)) for i in range(40)]  # no two alike
    trained, heldout = split_heldout(pool, 5)
    assert len(heldout) == 5 and not set(trained) & set(heldout)
    reversed_pool = pool[::-1]
    assert sorted(reversed_pool[i] for i in split_heldout(reversed_pool, 5)[1]) == sorted(pool[i] for i in heldout)  # the pool's order does not matter
    echo = pool[heldout[0]].replace("x7", "y7")
    trained_with_echo, _ = split_heldout(pool + [echo], 5)
    assert len(pool) not in trained_with_echo  # a near-duplicate of a held-out sentence would leak it into training


class CopyingStudent:
    labels = LABELS

    def __init__(self, proba):
        self.proba = proba

    def predict_proba(self, texts):
        return self.proba.numpy()


def test_a_student_that_copies_the_teacher_agrees_fully_and_one_that_does_not_scores_lower():
    teacher = torch.tensor([[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.1, 0.1, 0.1, 0.7]])
    texts = ["a", "b", "c", "d"]
    copying = teacher_agreement(CopyingStudent(teacher), texts, teacher)
    assert copying["heldout_teacher_macro_f1"] == 1.0 and copying["heldout_teacher_kl"] == pytest.approx(0.0, abs=1e-6)
    shifted = teacher_agreement(CopyingStudent(teacher.roll(1, dims=0)), texts, teacher)
    assert shifted["heldout_teacher_macro_f1"] == 0.0 and shifted["heldout_teacher_kl"] > 0.5


def test_a_missing_teacher_file_stops_training_with_the_command_that_writes_it(tmp_path):
    with pytest.raises(SystemExit, match="training/teacher.py"):
        main(["--teacher_file", str(tmp_path / "none.jsonl")])


def test_training_logs_params_metrics_artifacts_and_a_registered_model(corpus_files, tracking_uri, tiny_model_dir):
    result = run_training(corpus_files, tracking_uri, tiny_model_dir, "--epochs", "2", "--batch_size", "4")

    run = mlflow.get_run(result["run_id"])
    assert run.data.params["epochs"] == "2"
    assert run.data.params["labels"] == ",".join(LABELS)
    assert len(run.data.params["train_sha256"]) == 64
    for name in ("val_macro_f1", "test_macro_f1", "train_loss", *(f"test_f1_{label}" for label in LABELS)):
        assert name in run.data.metrics
    history = mlflow.MlflowClient().get_metric_history(run.info.run_id, "val_macro_f1")
    assert [m.step for m in history][:2] == [1, 2]
    assert run.data.tags["misread.smoke"] == "false"
    inputs = {i.tags[0].value: i.dataset for i in run.inputs.dataset_inputs}
    assert set(inputs) == {"training", "validation", "test"}
    assert inputs["training"].name == "train" and corpus_files["train"].name in inputs["training"].source

    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "evaluation")}
    assert {"evaluation/confusion_test.png", "evaluation/report_test.txt"} <= artifacts
    assert "label_map.json" in {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id)}

    version = mlflow.MlflowClient().get_model_version_by_alias(REGISTERED_MODEL_NAME, MODEL_ALIAS)
    assert result["registered"].endswith(f"(version {version.version})")
    loaded = mlflow.pyfunc.load_model(f"models:/{REGISTERED_MODEL_NAME}@{MODEL_ALIAS}")
    predictions = loaded.predict(pd.DataFrame({"text": ["Talks took place.", "We will never yield."]}))
    assert list(predictions.columns) == ["label", *(f"proba_{label}" for label in LABELS)]
    assert set(predictions["label"]) <= set(LABELS)
    assert predictions.filter(like="proba_").sum(axis=1).round(4).eq(1).all()


def test_an_unknown_label_in_validation_stops_training_before_any_run(corpus_files, tracking_uri, tiny_model_dir):
    corpus_files["validation"].write_text('{"text": "x", "label": "angry"}\n')
    with pytest.raises(Exception, match=r"validation\.jsonl:1: label 'angry' in the validation data never appears in the training data"):
        run_training(corpus_files, tracking_uri, tiny_model_dir)


@pytest.mark.integration
def test_packaged_minilm_fine_tunes_and_the_registered_model_predicts(corpus_files, tracking_uri):
    # Without the repo's 10k unlabelled teacher rows: they would turn these few dozen sentences into minutes.
    result = run_training(corpus_files, tracking_uri, "minilm", "--epochs", "1", "--batch_size", "8", "--distill_unlabelled", "false")
    assert mlflow.get_run(result["run_id"]).data.params["base_model"] == "minilm"
    loaded = mlflow.pyfunc.load_model(f"models:/{REGISTERED_MODEL_NAME}@{MODEL_ALIAS}")
    predictions = loaded.predict(pd.DataFrame({"text": ["The Kremlin called the demand non-negotiable."]}))
    assert predictions.loc[0, "label"] in LABELS


def test_an_interrupted_run_resumes_into_the_same_run_and_reaches_the_same_model(corpus_files, tracking_uri, tiny_model_dir, monkeypatch):
    from misread.model.classifier import FramingClassifier

    settings = ("--epochs", "3", "--batch_size", "4")
    clean = run_training(corpus_files, tracking_uri, tiny_model_dir, *settings, "--run_name", "clean")

    calls = {"n": 0}
    step = FramingTrainer.training_step

    def interrupt_mid_epoch_two(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 6:  # 4 steps per epoch: step 2 of epoch 2
            raise KeyboardInterrupt
        return step(self, *args, **kwargs)

    monkeypatch.setattr(FramingTrainer, "training_step", interrupt_mid_epoch_two)
    with pytest.raises(KeyboardInterrupt):
        run_training(corpus_files, tracking_uri, tiny_model_dir, *settings, "--run_name", "interrupted")
    monkeypatch.setattr(FramingTrainer, "training_step", step)
    (stopped,) = mlflow.search_runs(experiment_names=[EXPERIMENT_NAME], filter_string="attributes.run_name = 'interrupted'", output_format="list")
    assert stopped.info.status == "KILLED"
    resumed = main(["--resume", "--output_dir", str(corpus_files["train"].parent / "outputs")])

    runs = mlflow.search_runs(experiment_names=[EXPERIMENT_NAME], output_format="list")
    assert sorted(r.info.run_name for r in runs) == ["clean", "interrupted"]
    interrupted = next(r for r in runs if r.info.run_name == "interrupted")
    assert interrupted.info.run_id == resumed["run_id"] and interrupted.info.status == "FINISHED"
    history = mlflow.MlflowClient().get_metric_history(resumed["run_id"], "val_macro_f1")
    assert sorted({m.step for m in history if m.step > 0}) == [1, 2, 3]

    clean_weights = FramingClassifier.from_pretrained(clean["classifier_dir"]).model.state_dict()
    resumed_weights = FramingClassifier.from_pretrained(resumed["classifier_dir"]).model.state_dict()
    for name, tensor in clean_weights.items():
        torch.testing.assert_close(resumed_weights[name], tensor, atol=1e-5, rtol=1e-4)


def test_resume_without_a_checkpoint_says_so(tmp_path):
    with pytest.raises(SystemExit, match="no checkpoint"):
        main(["--resume", "--output_dir", str(tmp_path)])


def test_batches_grouped_by_length_cover_every_sentence_once_with_little_padding():
    lengths = [n % 64 + 1 for n in range(0, 64 * 7, 7)]  # 64 distinct lengths in a scrambled order

    def padded_tokens(sampler):
        order = list(sampler)
        return order, sum(max(lengths[i] for i in order[s : s + 8]) * len(order[s : s + 8]) for s in range(0, len(order), 8))

    grouped, grouped_tokens = padded_tokens(EpochSampler(lengths, 64, 0, 8, seed=0, group_by_length=True))
    shuffled, shuffled_tokens = padded_tokens(EpochSampler(lengths, 64, 0, 8, seed=0, group_by_length=False))
    assert sorted(grouped) == sorted(shuffled) == list(range(64))
    assert grouped_tokens < 0.7 * shuffled_tokens


def test_default_run_names_say_what_ran_and_mark_smoke_runs():
    name = default_run_name(parse_args(["--limit", "64"]))
    assert re.fullmatch(r"minilm-distilled-seed13-limit64-\d{4}-\d{6}", name)
    assert default_run_name(parse_args(["--teacher_file", "", "--seed", "7"])).startswith("minilm-gold-seed7-")


def test_an_error_during_training_ends_the_run_as_failed(corpus_files, tracking_uri, tiny_model_dir, monkeypatch):
    def broken_step(self, *args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(FramingTrainer, "training_step", broken_step)
    with pytest.raises(RuntimeError, match="out of memory"):
        run_training(corpus_files, tracking_uri, tiny_model_dir, "--epochs", "1")
    (run,) = mlflow.search_runs(experiment_names=[EXPERIMENT_NAME], output_format="list")
    assert run.info.status == "FAILED"


def test_a_training_stopped_by_sigterm_ends_its_run_as_killed_and_keeps_its_checkpoint(corpus_files, tracking_uri, tiny_model_dir):
    output_dir = corpus_files["train"].parent / "outputs"
    command = train_command(corpus_files, tracking_uri, tiny_model_dir, "--epochs", "1000", "--no_register")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not list((output_dir / "checkpoints").glob("*/checkpoint-*/trainer_state.json")):  # one epoch checkpointed
            assert process.poll() is None and time.time() < deadline, "training ended or stalled before its first checkpoint"
            time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        process.kill()
    (run,) = mlflow.search_runs(experiment_names=[EXPERIMENT_NAME], output_format="list")
    assert run.info.status == "KILLED"
    assert list((output_dir / "checkpoints" / run.info.run_id).glob("checkpoint-*"))


def test_each_epoch_draws_a_fresh_sample_of_unlabelled_sentences_and_never_one_twice():
    generator = torch.Generator().manual_seed(0)
    rows = list(range(100, 200))
    first, second = epoch_sample(rows, 30, generator), epoch_sample(rows, 30, generator)
    assert len(first) == len(set(first)) == 30 and set(first) <= set(rows)
    assert first != second
    assert epoch_sample(rows, 500, generator) == rows  # asking for more than the pool takes all of it


def test_the_sampler_takes_every_labelled_row_and_a_fresh_unlabelled_draw_each_epoch_the_same_on_a_rerun():
    sampler = EpochSampler([5] * 200, labelled=50, unlabelled_per_epoch=30, batch_size=8, seed=13, group_by_length=True)
    epochs = []
    for epoch in (0, 1, 0):
        sampler.set_epoch(epoch)
        epochs.append(list(sampler))
    assert len(sampler) == 80 and all(len(order) == 80 for order in epochs)
    assert all(set(range(50)) <= set(order) for order in epochs)
    assert set(epochs[0]) - set(range(50)) != set(epochs[1]) - set(range(50))
    assert epochs[0] == epochs[2]  # what a resumed run replays


def test_mixed_precision_is_bf16_where_native_fp16_on_older_gpus_and_none_when_fp32_is_asked(monkeypatch):
    from misread.training import train as train_module

    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert train_module.autocast_dtype(torch.device("cuda"), "auto") == torch.float16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert train_module.autocast_dtype(torch.device("cuda"), "auto") == torch.bfloat16
    monkeypatch.setattr(train_module, "bf16_is_fast", lambda: False)
    assert train_module.autocast_dtype(torch.device("cpu"), "auto") is None
    assert train_module.autocast_dtype(torch.device("cpu"), "bf16") == torch.bfloat16
    assert train_module.autocast_dtype(torch.device("cpu"), "fp32") is None

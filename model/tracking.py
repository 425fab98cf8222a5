"""Where runs and models live: the tracking URI, the registry name and alias, defined once, and model loading by URI."""
from __future__ import annotations

import os
import signal
import sqlite3
import tempfile
import threading
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator
from urllib.parse import urlparse

if TYPE_CHECKING:
    from mlflow import ActiveRun

ARTIFACTS_FOLDER = "mlartifacts"  # beside a SQLite store's database file
EXPERIMENT_NAME = "misread-framing"  # training runs, baselines and evaluations, side by side in the UI
BENCHMARK_EXPERIMENT_NAME = "misread-benchmarks"
REGISTERED_MODEL_NAME = "framing-classifier"
ARTICLE_PIPELINE_NAME = "misread-article-pipeline"
MODEL_ALIAS = "champion"  # set by train.py on every new version; what inference loads by default
CLASSIFIER_ARTIFACT = "classifier"  # the HF folder inside the logged pyfunc model
KIND_TAG = "misread.kind"  # training, evaluation, baseline, article-evaluation or benchmark
SMOKE_TAG = "misread.smoke"  # "true" on training runs cut short by --limit: kept out of result tables


class TrackingError(RuntimeError):
    """The tracking store cannot be used; raised before any expensive work starts."""


def misread_home() -> Path:
    """Where runs, models and outputs go: $MISREAD_HOME, else the current folder; never the installed package."""
    return Path(os.environ.get("MISREAD_HOME") or Path.cwd()).resolve()


def default_tracking_uri() -> str:
    return f"sqlite:///{misread_home() / 'mlflow.db'}"


def resolve_tracking_uri(explicit: str | None = None) -> str:
    """`--tracking-uri`, else $MLFLOW_TRACKING_URI, else mlflow.db in $MISREAD_HOME or the current folder."""
    return explicit or os.environ.get("MLFLOW_TRACKING_URI") or default_tracking_uri()


def check_tracking_store(uri: str, timeout_s: float = 5.0) -> None:
    """Fail in seconds, naming the URI and the fix, when the store is unreachable, read-only or locked."""
    scheme = urlparse(uri).scheme
    if scheme == "sqlite":
        db = Path(uri.removeprefix("sqlite:///")) if uri.startswith("sqlite:///") else None
        if db is None:
            raise TrackingError(f"{uri}: use an absolute SQLite URI such as sqlite:////path/to/mlflow.db.")
        folder = db.parent
        if not folder.exists():
            raise TrackingError(f"{uri}: folder {folder} does not exist; create it or pass another --tracking-uri.")
        if not os.access(folder, os.W_OK) or (db.exists() and not os.access(db, os.W_OK)):
            raise TrackingError(f"{uri}: {db} is read-only; fix its permissions or pass another --tracking-uri.")
        if db.exists():
            try:
                with closing(sqlite3.connect(db, timeout=timeout_s)) as connection:
                    connection.execute("BEGIN IMMEDIATE")  # needs the write lock: fails if another process holds it
                    connection.rollback()
            except sqlite3.OperationalError as err:
                raise TrackingError(
                    f"{uri}: the SQLite store cannot be written ({err}); another process may hold a lock on it. "
                    "Wait for it or pass another --tracking-uri."
                ) from err
    elif scheme in ("http", "https"):
        import requests

        try:
            requests.get(uri.rstrip("/") + "/health", timeout=timeout_s).raise_for_status()
        except requests.RequestException as err:
            raise TrackingError(
                f"{uri}: the tracking server does not answer ({err.__class__.__name__}). Start it "
                f"(`mlflow server --backend-store-uri {default_tracking_uri()}`) or pass another --tracking-uri."
            ) from err


def artifact_root_for(uri: str) -> str | None:
    """Artifacts of a SQLite store live beside its database file (the default store: ./mlartifacts)."""
    if not uri.startswith("sqlite:///"):
        return None  # a server decides where its artifacts go
    return (Path(uri.removeprefix("sqlite:///")).parent / ARTIFACTS_FOLDER).as_uri()


# MLflow 3's UI opens an experiment on its GenAI overview unless told it holds model training runs.
EXPERIMENT_KIND_TAG, TRAINING_KIND = "mlflow.experimentKind", "custom_model_development"


def once_more_if_raced(write: Callable[[], object]) -> object:
    """Run a store write; if another job wrote the same unique row at the same moment (two trainings starting at
    once on one SQLite store), run it once more: the second look finds the other job's row and writes nothing new."""
    import mlflow

    try:
        return write()
    except mlflow.exceptions.MlflowException as err:
        if "UNIQUE constraint" not in str(err):
            raise
        return write()


def use_experiment(name: str = EXPERIMENT_NAME, tracking_uri: str | None = None) -> str:
    """Point MLflow at the store and the experiment (created with its artifacts beside a SQLite store, and tagged so
    the UI opens on its runs). Returns the tracking URI."""
    import mlflow

    uri = resolve_tracking_uri(tracking_uri)
    mlflow.set_tracking_uri(uri)

    def tag_experiment() -> None:
        experiment = mlflow.get_experiment_by_name(name)
        if experiment is None:
            mlflow.create_experiment(name, artifact_location=artifact_root_for(uri), tags={EXPERIMENT_KIND_TAG: TRAINING_KIND})
        elif experiment.tags.get(EXPERIMENT_KIND_TAG) != TRAINING_KIND:  # a store made before the tag existed
            mlflow.MlflowClient().set_experiment_tag(experiment.experiment_id, EXPERIMENT_KIND_TAG, TRAINING_KIND)

    once_more_if_raced(tag_experiment)
    mlflow.set_experiment(name)
    return uri


_stop = threading.Event()


def _request_stop(signum: int, frame: object) -> None:
    """First SIGTERM or Ctrl-C: stop at the next safe point (`raise_if_stopped`); a second one stops at once. An
    interrupt raised anywhere could land inside a database write or a progress bar's lock and hang the exit."""
    if _stop.is_set():
        raise KeyboardInterrupt(f"signal {signum}")
    _stop.set()
    os.write(2, f"\nmisread: signal {signum}: stopping at the next safe point (send it again to stop at once)\n".encode())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def raise_if_stopped() -> None:
    if _stop.is_set():
        raise KeyboardInterrupt("stop requested")


@contextmanager
def start_tracked_run(safe_points: bool = False, **kwargs) -> Iterator["ActiveRun"]:
    """`mlflow.start_run` whose run ends KILLED on Ctrl-C or SIGTERM (FAILED on an error, FINISHED otherwise), so a
    stopped job never leaves a run RUNNING in the UI. With `safe_points`, the work calls `raise_if_stopped` where
    stopping is safe and a signal waits for it; otherwise a signal stops the work at once."""
    import mlflow

    in_main_thread = threading.current_thread() is threading.main_thread()  # signal handlers can only be set there
    _stop.clear()
    handler = _request_stop if safe_points else _interrupt
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)} if in_main_thread else {}
    try:
        with mlflow.start_run(**kwargs) as run:
            try:
                yield run
            except KeyboardInterrupt:
                mlflow.end_run("KILLED")
                raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def experiment_page(server: str, experiment_id: str) -> str:
    """The experiment's runs in the MLflow UI. MLflow 3.17 opens every experiment on its GenAI overview, whatever
    the experiment's kind tag says, unless the link asks for the model-training view."""
    return f"{server.rstrip('/')}/#/experiments/{experiment_id}?workflowType=machine_learning"


def ui_command(uri: str, experiment_id: str) -> str:
    if uri.startswith("sqlite:"):
        return f"mlflow ui --backend-store-uri {uri}, then open {experiment_page('http://127.0.0.1:5000', experiment_id)}"
    return f"open {experiment_page(uri, experiment_id)}"


def default_model_uri() -> str:
    return f"models:/{REGISTERED_MODEL_NAME}@{MODEL_ALIAS}"


def load_classifier(spec: str | None = None, tracking_uri: str | None = None, batch_size: int = 64, precision: str | None = None, device: str | None = None):
    """Load the framing classifier from a local folder, a `runs:/` or `models:/` URI, or the registry alias by default."""
    from misread.model.classifier import DEFAULT_DEVICE, DEFAULT_PRECISION, FramingClassifier, ModelLoadError

    precision, device = precision or DEFAULT_PRECISION, device or DEFAULT_DEVICE

    spec = spec or default_model_uri()
    if Path(spec).is_dir():
        folder = Path(spec)
        # A downloaded pyfunc model keeps the HF folder under artifacts/classifier.
        nested = folder / "artifacts" / CLASSIFIER_ARTIFACT
        return FramingClassifier.from_pretrained(nested if nested.is_dir() else folder, batch_size=batch_size, precision=precision, device=device)
    if not spec.startswith(("runs:/", "models:/")):
        raise ModelLoadError(f"{spec}: not a folder nor a runs:/ or models:/ URI.")
    import mlflow
    from mlflow.exceptions import MlflowException

    mlflow.set_tracking_uri(resolve_tracking_uri(tracking_uri))
    with tempfile.TemporaryDirectory(prefix="misread-") as scratch:  # weights are in memory once loaded
        try:
            local = mlflow.artifacts.download_artifacts(
                artifact_uri=f"{spec.rstrip('/')}/artifacts/{CLASSIFIER_ARTIFACT}", dst_path=scratch
            )
        except MlflowException as err:
            raise ModelLoadError(
                f"{spec}: no framing model found there ({err.message.splitlines()[0]}). "
                "Train one with `python training/train.py`, or pass --model with a run URI or a model folder."
            ) from err
        return FramingClassifier.from_pretrained(local, batch_size=batch_size, precision=precision, device=device)


def describe_model(spec: str | None = None, tracking_uri: str | None = None) -> str:
    """The model as a report names it: what was asked for, and the training run behind a registry URI when known."""
    spec = spec or default_model_uri()
    if spec.startswith("runs:/"):
        return f"{spec} (run {spec.removeprefix('runs:/').split('/')[0]})"
    if not spec.startswith("models:/"):
        return spec
    import mlflow
    from mlflow.exceptions import MlflowException

    name, _, alias = spec.removeprefix("models:/").partition("@")
    client = mlflow.MlflowClient(resolve_tracking_uri(tracking_uri))
    try:
        version = client.get_model_version_by_alias(name, alias) if alias else client.get_model_version(*name.split("/", 1))
    except (MlflowException, TypeError):
        return spec
    return f"{spec} (version {version.version}, run {version.run_id})"

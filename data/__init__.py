"""The project's annotated corpus, its datasheet, and the loaders for labelled sentence files."""
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = DATA_DIR.parent
CORPUS_DIR = DATA_DIR / "framing"
SPLIT_FILES = {split: CORPUS_DIR / f"{split}.jsonl" for split in ("train", "validation", "test")}
ARTICLES_FILE = DATA_DIR / "articles" / "articles.jsonl"
# Real news sentences kept outside the repo: measured on, never trained on or copied.
REAL_DEV_FILE = PROJECT_ROOT.parent / "shared" / "data" / "framing_dev_real.jsonl"

"""The project's annotated corpus, its datasheet, and the loaders for labelled sentence files."""
import os
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = DATA_DIR.parent  # the checkout, when run from one
CORPUS_DIR = DATA_DIR / "framing"
SPLIT_FILES = {split: CORPUS_DIR / f"{split}.jsonl" for split in ("train", "validation", "test")}
TEACHER_FILE = CORPUS_DIR / "teacher" / "train.jsonl"  # the mpnet teacher's probabilities, for distillation
UNLABELLED_DIR = CORPUS_DIR / "unlabelled"  # sentences without gold labels: the teacher labels them for the student
ARTICLES_FILE = DATA_DIR / "articles" / "articles.jsonl"
# Real news sets kept outside the repo: measured on, never trained on or copied.
SHARED_DATA_DIR = Path(os.environ.get('MISREAD_MEASURING_DIR') or PROJECT_ROOT.parent / 'shared' / 'data')  # the team's measuring sets
REAL_DEV_FILE = SHARED_DATA_DIR / "framing_dev_real.jsonl"  # 2004-2005 wire copy (AG News)
MODERN_DEV_FILE = SHARED_DATA_DIR / "framing_dev_modern.jsonl"  # 2023-2024 conflict reporting (FIGNEWS-2024)
ARTICLES_DEV_FILE = SHARED_DATA_DIR / "articles_dev.jsonl"  # 40 articles with gold roles and flag
MEASURING_SETS = {"real_dev": REAL_DEV_FILE, "modern_dev": MODERN_DEV_FILE}
LABELS = ("conciliatory", "hardline", "neutral", "speculative")  # the guideline's set; a trained model carries its own

"""Audit the corpus (labelled and unlabelled sentences) against the real measuring sets: nothing in it may copy or paraphrase a measured sentence.

    python data/contamination.py            # audit; on success, stamp the corpus hash in data/framing/contamination_audit.json
    python data/contamination.py --remove   # delete too-close sentences from framing/source/*.jsonl (then run make_splits.py)

Two checks per measuring set: word overlap (Jaccard >= 0.5) and meaning (cosine >= 0.75 between mean-pooled
all-MiniLM-L6-v2 embeddings). Embedding the whole corpus takes minutes on 2 cores, so the test suite only checks
that the stamp matches the corpus as shipped; `python -m pytest -m e2e` reruns the audit itself.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys


from misread.data import CORPUS_DIR, MEASURING_SETS, SPLIT_FILES, UNLABELLED_DIR
from misread.data.loading import load_examples, load_unlabelled
from misread.data.near_duplicates import near_duplicate_pairs

STAMP_FILE = CORPUS_DIR / "contamination_audit.json"
SOURCE_DIR = CORPUS_DIR / "source"
WORD_OVERLAP_LIMIT = 0.5
COSINE_LIMIT = 0.75


def corpus_fingerprint() -> str:
    """SHA-256 over the three split files, in split order, then the unlabelled sentence files."""
    digest = hashlib.sha256()
    for path in [*SPLIT_FILES.values(), *sorted(UNLABELLED_DIR.glob("*.jsonl"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def sentence_embeddings(texts: list[str], batch_size: int = 128):
    """Mean-pooled, normalised all-MiniLM-L6-v2 embeddings, length-sorted so batches carry little padding."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from misread.model.base_models import packaged_minilm

    tokenizer, encoder = AutoTokenizer.from_pretrained(packaged_minilm()), AutoModel.from_pretrained(packaged_minilm()).eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    pooled = torch.empty(len(texts), encoder.config.hidden_size)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            batch = tokenizer([texts[i] for i in chosen], padding=True, truncation=True, max_length=96, return_tensors="pt")
            mask = batch["attention_mask"].unsqueeze(-1)
            pooled[chosen] = ((encoder(**batch).last_hidden_state * mask).sum(1) / mask.sum(1)).float()
    return torch.nn.functional.normalize(pooled, dim=-1)


def too_close(corpus: list[str], measured: dict[str, list[str]]) -> list[dict]:
    """Every corpus sentence that overlaps in words or in meaning with a sentence of a measuring set."""
    found = []
    corpus_vectors = sentence_embeddings(corpus) if measured else None
    for name, texts in measured.items():
        for i, _, jaccard in near_duplicate_pairs(corpus, texts, threshold=WORD_OVERLAP_LIMIT):
            found.append({"set": name, "text": corpus[i], "why": f"word overlap {jaccard:.2f}"})
        closest, index = (corpus_vectors @ sentence_embeddings(texts).T).max(dim=1)
        found += [{"set": name, "text": corpus[i], "why": f"cosine {float(c):.2f}"}
                  for i, c in enumerate(closest.tolist()) if c >= COSINE_LIMIT]
    return found


def remove_from_sources(texts: set[str]) -> int:
    removed = 0
    for path in [*sorted(SOURCE_DIR.glob("*.jsonl")), *sorted(UNLABELLED_DIR.glob("*.jsonl"))]:
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if not line.strip() or json.loads(line)["text"].strip() not in texts]
        removed += len(lines) - len(kept)
        path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--remove", action="store_true", help="delete offending sentences from the source files")
    args = parser.parse_args(argv)
    missing = [str(path) for path in MEASURING_SETS.values() if not path.exists()]
    if missing:
        raise SystemExit(f"measuring set(s) not found: {missing}; the audit needs ../shared/data beside the checkout")
    corpus = [e.text for path in SPLIT_FILES.values() for e in load_examples(path)] + load_unlabelled(UNLABELLED_DIR)
    measured = {name: [e.text for e in load_examples(path)] for name, path in MEASURING_SETS.items()}
    found = too_close(corpus, measured)
    for row in found:
        print(f"{row['set']}: {row['why']}: {row['text']}")
    if found and args.remove:
        print(f"removed {remove_from_sources({row['text'] for row in found})} sentences; now run python data/make_splits.py and audit again")
    if found:
        return 1
    stamp = {"corpus": corpus_fingerprint(), "sentences": len(corpus), "measuring_sets": sorted(measured),
             "word_overlap_limit": WORD_OVERLAP_LIMIT, "cosine_limit": COSINE_LIMIT}
    STAMP_FILE.write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    print(f"clean: {len(corpus)} corpus sentences against {sorted(measured)}; stamped {STAMP_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the fixed train / validation / test files from the hand-written source files.

    python data/make_splits.py          # rewrites data/framing/{train,validation,test}.jsonl and the datasheet counts

Near-duplicates (minimal pairs included) are grouped and each group goes to one split, so no split
tests the model on a sentence it has almost seen. Deterministic for a given --seed.

Splits only grow: a sentence already in a split file stays there, and a new batch's sentences join the split of
any near-duplicate already placed, else the split whose labels are most under target. So a teacher or a run
trained before a batch was added never saw a sentence that is now in validation or test. `--fresh` reassigns all.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict


from misread.data import CORPUS_DIR, DATA_DIR, LABELS, SPLIT_FILES
from misread.data.near_duplicates import near_duplicate_pairs

SOURCE_DIR = CORPUS_DIR / "source"
FIELDS = ("text", "label", "conflict", "register", "phenomenon", "pair")
SHARES = {"train": 0.8, "validation": 0.1, "test": 0.1}
DATASHEET = DATA_DIR / "README.md"
COUNTS_START, COUNTS_END = "<!-- counts:start -->", "<!-- counts:end -->"


def read_sources() -> list[dict]:
    rows, seen = [], set()
    for path in sorted(SOURCE_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if set(row) != set(FIELDS) or row["label"] not in LABELS or not row["text"].strip():
                raise SystemExit(f"{path}:{number}: expected keys {FIELDS} and a label in {LABELS}; got {row}")
            key = " ".join(row["text"].lower().split())
            if key in seen:
                print(f"{path}:{number}: exact duplicate, kept once: {row['text'][:60]}")
                continue
            seen.add(key)
            rows.append({k: row[k].strip() if isinstance(row[k], str) else row[k] for k in FIELDS})
    return rows


def groups_of_near_duplicates(rows: list[dict]) -> list[list[int]]:
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links = [(i, j) for i, j, _ in near_duplicate_pairs([r["text"] for r in rows])]
    by_pair = defaultdict(list)
    for index, row in enumerate(rows):
        if row["pair"]:
            by_pair[row["pair"]].append(index)
    links += [(members[0], other) for members in by_pair.values() for other in members[1:]]
    for i, j in links:
        parent[find(i)] = find(j)
    groups = defaultdict(list)
    for index in range(len(rows)):
        groups[find(index)].append(index)
    return list(groups.values())


def text_key(text: str) -> str:
    return " ".join(text.lower().split())


def placed_splits() -> dict[str, str]:
    """The split each sentence already in a split file belongs to, by normalised text."""
    return {text_key(json.loads(line)["text"]): name for name, path in SPLIT_FILES.items() if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def assign(rows: list[dict], groups: list[list[int]], seed: int, placed: dict[str, str] | None = None) -> dict[str, list[dict]]:
    """Greedy stratified assignment of whole groups: each goes where its labels are most under target. A group with
    a member already `placed` goes to that member's split (sentences placed before stay where they were)."""
    placed = placed or {}
    random.Random(seed).shuffle(groups)
    groups.sort(key=len, reverse=True)  # place big groups first, while every split still has room
    totals = Counter(r["label"] for r in rows)
    target = {s: {label: share * totals[label] for label in totals} for s, share in SHARES.items()}
    current = {s: Counter() for s in SHARES}
    chosen: dict[int, str] = {}
    for group in groups:  # first every sentence that has a split already, and its near-duplicates with it
        known = [placed[text_key(rows[i]["text"])] for i in group if text_key(rows[i]["text"]) in placed]
        for i in group:
            chosen[i] = placed.get(text_key(rows[i]["text"]), known[0]) if known else None
        if known:
            current[known[0]].update(rows[i]["label"] for i in group)
    for group in (g for g in groups if chosen[g[0]] is None):
        labels = Counter(rows[i]["label"] for i in group)
        split = max(SHARES, key=lambda s: sum((target[s][l] - current[s][l]) / target[s][l] * n for l, n in labels.items()))
        current[split].update(labels)
        chosen.update({i: split for i in group})
    order = {key: position for position, key in enumerate(placed)}  # placed sentences keep their order in the file
    splits = {s: [] for s in SHARES}
    for name in SHARES:
        members = [i for i in range(len(rows)) if chosen[i] == name]
        old = sorted((i for i in members if text_key(rows[i]["text"]) in order), key=lambda i: order[text_key(rows[i]["text"])])
        new = [i for i in members if text_key(rows[i]["text"]) not in order]
        random.Random(seed).shuffle(new)
        splits[name] = [rows[i] for i in old + new]
    return splits


def counts_table(splits: dict[str, list[dict]]) -> str:
    labels = sorted({r["label"] for rows in splits.values() for r in rows})
    lines = ["| split | " + " | ".join(labels) + " | total |", "|---" * (len(labels) + 2) + "|"]
    for name, rows in splits.items():
        counts = Counter(r["label"] for r in rows)
        lines.append(f"| {name} | " + " | ".join(str(counts[l]) for l in labels) + f" | {len(rows)} |")
    every = [r for rows in splits.values() for r in rows]
    counts = Counter(r["label"] for r in every)
    lines.append("| all | " + " | ".join(f"{counts[l]} ({counts[l] / len(every):.0%})" for l in labels) + f" | {len(every)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="reassign every sentence instead of keeping the splits already written")
    args = parser.parse_args()

    rows = read_sources()
    splits = assign(rows, groups_of_near_duplicates(rows), args.seed, placed=None if args.fresh else placed_splits())
    for name, split_rows in splits.items():
        SPLIT_FILES[name].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in split_rows), encoding="utf-8")
    table = counts_table(splits)
    sheet = DATASHEET.read_text(encoding="utf-8")
    head, _, rest = sheet.partition(COUNTS_START)
    _, _, tail = rest.partition(COUNTS_END)
    DATASHEET.write_text(f"{head}{COUNTS_START}\n{table}\n{COUNTS_END}{tail}", encoding="utf-8")
    print(table)
    print(f"conflicts: {len({r['conflict'] for r in rows})}, phenomena: {dict(Counter(r['phenomenon'] for r in rows))}")


if __name__ == "__main__":
    main()

"""The project's own gold articles: size, spread, shape, and nothing taken from the measuring set."""
import json
import re
import subprocess
from collections import Counter

import pytest

from misread.data import ARTICLES_DEV_FILE, ARTICLES_FILE, PROJECT_ROOT
from misread.evaluation.evaluate_articles import load_gold

CATEGORIES = {"gap", "gap-reverse", "both-hardline", "both-conciliatory", "no-counterpart-stance", "no-envoy"}


@pytest.fixture(scope="module")
def rows():
    return [json.loads(line) for line in ARTICLES_FILE.read_text(encoding="utf-8").splitlines()]


def test_the_set_is_large_half_invented_and_covers_every_category(rows):
    assert len(rows) >= 120
    assert sum(r["parties"] == "invented" for r in rows) * 2 >= len(rows)
    counts = Counter(r["category"] for r in rows)
    assert CATEGORIES <= set(counts) and min(counts[c] for c in CATEGORIES) >= 10, counts


def test_every_flag_follows_from_the_two_stances(rows):
    for row in rows:
        opposite = {row["envoy_stance"], row["counterpart_stance"]} == {"conciliatory", "hardline"}
        assert row["misreading"] == opposite, row["id"]
        assert (row["envoy"] is None) == (row["category"] == "no-envoy"), row["id"]


def test_the_set_loads_through_the_evaluation_loader():
    gold = load_gold(ARTICLES_FILE)
    assert len({g["id"] for g in gold}) == len(gold)


def measuring_names() -> set[str]:
    """The envoys of the measuring articles, and every party and spokesperson of its invented A half (the B half's
    parties are real places, which the corpus may name as any news does)."""
    names = set()
    for row in map(json.loads, ARTICLES_DEV_FILE.read_text(encoding="utf-8").splitlines()):
        for role in ("envoy", "counterpart"):
            party = row[role]
            if not party:
                continue
            for name in [party["name"], *party["aliases"]]:
                words = name.split()
                proper = all(re.match(r"[A-Z][^A-Z]*[a-z]", w) for w in words)  # "Ilse Brandt", not "the ministry"
                # A surname alone may also be a real public figure's: people are checked by full name.
                if proper and (len(words) >= 2 if role == "envoy" else row["id"].startswith("dev-A")):
                    names.add(name)
    return names - {"Ambassador", "Mediator", "Envoy", "Special Envoy"}


@pytest.mark.skipif(not ARTICLES_DEV_FILE.exists(), reason="the measuring articles live outside the repo")
def test_no_name_from_the_measuring_articles_appears_in_the_repository():
    names = measuring_names()
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?!\w)")
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout.split()
    leaks = {}
    for name in tracked:
        path = PROJECT_ROOT / name
        if path.suffix in {".py", ".md", ".jsonl", ".json", ".toml", ".txt", ""} and path.is_file():
            for match in pattern.finditer(path.read_text(encoding="utf-8", errors="ignore")):
                leaks.setdefault(match.group(1), set()).add(name)
    assert leaks == {}

"""Human-readable output: a terminal table and an HTML report written article by article."""
from __future__ import annotations

import html
from pathlib import Path
from typing import TextIO

LABEL_COLOURS = {"conciliatory": "#cdeccd", "hardline": "#f7c6c5", "speculative": "#fbe7b5", "neutral": "transparent"}
ROLE_MARKS = {"envoy": "E", "counterpart": "C", "other": "o", "none": ""}

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}
article{border-top:2px solid #ddd;padding:1rem 0} h2{font-size:1.1rem;margin:.2rem 0}
.flag{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;font-weight:600}
.yes{background:#c0392b;color:#fff}.no{background:#ddd}.err{background:#555;color:#fff}
.s{padding:.05rem .1rem;border-radius:.2rem}.role{font-size:.7rem;vertical-align:super;font-weight:700;color:#555}
.envoy{outline:2px solid #2471a3}.counterpart{outline:2px dashed #7d3c98}.legend span{margin-right:1rem}
"""


def _sentence_html(sentence: dict) -> str:
    colour = LABEL_COLOURS.get(sentence["label"], "transparent")
    mark = ROLE_MARKS.get(sentence["role"], "")
    tip = f"{sentence['label']} | holder: {sentence['holder'] or '-'} | role: {sentence['role']}"
    role_sup = f'<span class="role">{mark}</span>' if mark else ""
    return (
        f'<span class="s {html.escape(sentence["role"])}" style="background:{colour}" title="{html.escape(tip, quote=True)}">'
        f"{html.escape(sentence['text'])}</span>{role_sup} "
    )


class HtmlReport:
    """Streams one <article> per row, so a crash leaves a readable report of everything analysed so far."""

    def __init__(self, path: str | Path) -> None:
        self.handle: TextIO = Path(path).open("w", encoding="utf-8")
        legend = "".join(f'<span class="s" style="background:{c}">{l}</span>' for l, c in LABEL_COLOURS.items())
        self.handle.write(
            f"<!doctype html><meta charset=utf-8><title>Misread report</title><style>{STYLE}</style>"
            f"<h1>Misread report</h1><p class=legend>{legend} <span class='s envoy'>envoy (E)</span>"
            f"<span class='s counterpart'>counterpart (C)</span></p>\n"
        )

    def add(self, row: dict) -> None:
        title = html.escape(row.get("title") or row["id"])
        if row.get("error"):
            body = f'<span class="flag err">error</span> {html.escape(row["error"])}'
        else:
            flag = '<span class="flag yes">misreading</span>' if row["misreading"] else '<span class="flag no">no misreading</span>'
            sentences = "".join(_sentence_html(s) for s in row.get("sentences", []))
            body = f"{flag} {html.escape(row['explanation'])}<p>{sentences}</p>"
        self.handle.write(f"<article><h2>{title}</h2><small>{html.escape(row['id'])}</small><br>{body}</article>\n")
        self.handle.flush()

    def close(self) -> None:
        self.handle.write("</html>\n")
        self.handle.close()


def summary_table(rows: list[dict], limit: int = 20) -> str:
    """A few lines a person can scan: the flagged articles first, then errors."""
    header = f"{'id':40} {'envoy':18} {'counterpart':14} {'gap':>5} {'misreading':>10}  note"
    lines = [header, "-" * len(header)]
    ordered = sorted(rows, key=lambda r: (not r.get("misreading"), r.get("error") is None, -(r.get("gap") or 0)))
    for row in ordered[:limit]:
        envoy = (row.get("envoy") or {}).get("name", "-")
        counterpart = (row.get("counterpart") or {}).get("name", "-")
        gap = f"{row['gap']:.2f}" if row.get("gap") is not None else "-"
        note = row.get("error") or row.get("note") or ""
        lines.append(f"{row['id'][-40:]:40} {envoy[:18]:18} {counterpart[:14]:14} {gap:>5} {str(row.get('misreading')):>10}  {note[:60]}")
    if len(rows) > limit:
        lines.append(f"... and {len(rows) - limit} more in the output file")
    return "\n".join(lines)

"""Human-readable output: a terminal table, and an HTML report made of an index page and one page per article.

The index (summary, overview table, gap chart) stays small for a thousand articles because the sentences live on the
article pages. Every piece of article text is escaped, and each page forbids scripts it does not carry itself
(Content-Security-Policy), so markup inside an article can never run.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from misread.model.gap import CONCILIATORY, HARDLINE, SPECULATIVE
from misread.model.settings import SETTINGS

LABEL_COLOURS = {CONCILIATORY: "#cdeccd", HARDLINE: "#f7c6c5", SPECULATIVE: "#fbe7b5"}  # any other label: no colour
ROLE_MARKS = {"envoy": "E", "counterpart": "C", "other": "o", "none": ""}
MAX_HEADING_WORDS = 12  # a paragraph of one short sentence with no closing punctuation is shown as a heading
INDEX_EVERY = 50  # the index is rewritten this often, so a crash leaves one that lists what was analysed
CHART_BINS = 20

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem;margin:.3rem 0} h2{font-size:1.15rem;margin:1.2rem 0 .3rem} h3{font-size:1rem;margin:1rem 0 .2rem}
.flag{display:inline-block;padding:.05rem .45rem;border-radius:.3rem;font-weight:600;font-size:.85rem;white-space:nowrap}
.yes{background:#c0392b;color:#fff}.no{background:#ddd}.err{background:#555;color:#fff}.unresolved{background:#f3e1b3}
.s{padding:.05rem .1rem;border-radius:.2rem}.role{font-size:.7rem;vertical-align:super;font-weight:700;color:#555}
.envoy{outline:2px solid #2471a3}.counterpart{outline:2px dashed #7d3c98}.legend span{margin-right:.8rem}
.stats{display:flex;gap:1.5rem;flex-wrap:wrap;margin:.8rem 0}.stats div{font-size:.85rem;color:#555}
.stats b{display:block;font-size:1.4rem;color:#222}
table{border-collapse:collapse;width:100%;font-size:.85rem} th,td{border-bottom:1px solid #e3e3e3;padding:.3rem .4rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;cursor:pointer;user-select:none;position:sticky;top:0} th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"} td.num{text-align:right;font-variant-numeric:tabular-nums}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.side{border:1px solid #ddd;border-radius:.4rem;padding:.5rem .8rem}
.side ol{padding-left:1.2rem;margin:.3rem 0}.muted{color:#666;font-size:.85rem} :target{box-shadow:0 0 0 3px #f1c40f}
.filters label{margin-right:1rem}
"""

# Sorting and filtering of the overview table: plain JavaScript, allowed on the index page by its hash alone.
SCRIPT = """
const table=document.getElementById('overview'),body=table.tBodies[0];
table.querySelectorAll('th').forEach((th,col)=>th.addEventListener('click',()=>{
 const down=th.getAttribute('aria-sort')==='ascending';
 table.querySelectorAll('th').forEach(h=>h.removeAttribute('aria-sort'));
 th.setAttribute('aria-sort',down?'descending':'ascending');
 const key=r=>r.cells[col].dataset.sort??r.cells[col].textContent.trim().toLowerCase();
 const number=th.dataset.type==='number';
 const rows=[...body.rows].sort((a,b)=>{const x=key(a),y=key(b);
  const c=number?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y);return down?-c:c;});
 rows.forEach(r=>body.appendChild(r));}));
document.querySelectorAll('input[name=show]').forEach(box=>box.addEventListener('change',()=>{
 const show=box.value;[...body.rows].forEach(r=>{r.hidden=show!=='all'&&!r.classList.contains(show);});
 document.getElementById('shown').textContent=[...body.rows].filter(r=>!r.hidden).length;}));
"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
INDEX_POLICY = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{SCRIPT_HASH}'"
ARTICLE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _escape(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _page_head(title: str, policy: str) -> str:
    colours = "".join(f".{label}{{background:{colour}}}" for label, colour in LABEL_COLOURS.items())
    return (
        f'<!doctype html><html lang=en><meta charset=utf-8><meta http-equiv="Content-Security-Policy" content="{policy}">'
        f"<meta name=viewport content='width=device-width,initial-scale=1'><title>{_escape(title)}</title><style>{STYLE}{colours}</style>\n"
    )


def _legend() -> str:
    labels = "".join(f'<span class="s {label}">{label}</span>' for label in LABEL_COLOURS)
    return (
        f'<p class="legend muted">Framing: {labels} <span>other labels: uncoloured</span> Roles: <span class="s envoy">envoy (E)</span>'
        '<span class="s counterpart">counterpart (C)</span><span>o: another party</span></p>\n'
    )


def page_name(article_id: str) -> str:
    """A file name that is stable for an id (a resumed run links to the page an earlier run wrote) and safe anywhere."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", article_id).strip("-")[:60] or "article"
    return f"{slug}-{hashlib.sha1(article_id.encode()).hexdigest()[:8]}.html"


def status_of(row: dict) -> str:
    """One word for the overview's filters: error, flagged, no-envoy, no-counterpart or clear."""
    if row.get("error"):
        return "error"
    if row.get("misreading"):
        return "flagged"
    if not row.get("envoy"):
        return "no-envoy"
    if not row.get("counterpart"):
        return "no-counterpart"
    return "clear"


STATUS_BADGES = {
    "error": '<span class="flag err">error</span>',
    "flagged": '<span class="flag yes">misreading</span>',
    "no-envoy": '<span class="flag unresolved">no envoy</span>',
    "no-counterpart": '<span class="flag unresolved">no counterpart</span>',
    "clear": '<span class="flag no">no misreading</span>',
}


# ---- article pages ---------------------------------------------------------------------------------------------
def _sentence_html(sentence: dict) -> str:
    mark = ROLE_MARKS.get(sentence["role"], "")
    tip = f"{sentence['label']} | holder: {sentence['holder'] or '-'} | role: {sentence['role']}"
    role_sup = f'<span class="role">{mark}</span>' if mark else ""
    return (
        f'<span id="s{sentence["index"]}" class="s {_escape(sentence["role"])} {_escape(sentence["label"])}" '
        f'title="{_escape(tip)}">{_escape(sentence["text"])}</span>{role_sup} '
    )


def _is_heading(paragraph: list[dict]) -> bool:
    text = paragraph[0]["text"]
    return len(paragraph) == 1 and len(text.split()) <= MAX_HEADING_WORDS and not text.rstrip("\"'”’)").endswith((".", "!", "?", ":"))


def _body_html(sentences: list[dict]) -> str:
    """The article as written: one block per source paragraph, short unpunctuated lines as headings."""
    paragraphs: dict[int, list[dict]] = {}
    for sentence in sentences:
        paragraphs.setdefault(sentence.get("paragraph", 0), []).append(sentence)
    blocks = []
    for paragraph in paragraphs.values():
        inner = "".join(_sentence_html(s) for s in paragraph)
        blocks.append(f"<h3>{inner}</h3>" if _is_heading(paragraph) else f"<p>{inner}</p>")
    return "\n".join(blocks)


def _sentence_holding(sentences: list[dict], start: int) -> int | None:
    for sentence in sentences:
        if sentence["start"] <= start < sentence["end"]:
            return sentence["index"]
    return None


def _side_html(role: str, row: dict, sentences: list[dict]) -> str:
    party = row.get(role) or {}
    stance = row.get(f"{role}_stance") or {}
    items = []
    for evidence in (row.get("evidence") or {}).get(role, []):
        index = _sentence_holding(sentences, evidence["start"])
        text = _escape(evidence["text"])
        link = f'<a href="#s{index}">{text}</a>' if index is not None else text
        items.append(f'<li><span class="s {_escape(evidence["label"])}">{_escape(evidence["label"])}</span> {link}</li>')
    evidence_html = f"<ol>{''.join(items)}</ol>" if items else '<p class="muted">no statements found</p>'
    score = stance.get("score")
    return (
        f'<div class="side {role}-side"><h3>{role.capitalize()}: {_escape(party.get("name") or "not found")}</h3>'
        f'<p class="muted">stance {_escape(stance.get("label", "-"))}'
        f'{f" ({score:+.2f})" if isinstance(score, (int, float)) else ""}</p>{evidence_html}</div>'
    )


def article_page(row: dict, sentences: list[dict], index_name: str) -> str:
    title = row.get("title") or row["id"]
    head = _page_head(title, ARTICLE_POLICY) + f'<p><a href="../{_escape(index_name)}">&larr; all articles</a></p>'
    badge = STATUS_BADGES[status_of(row)]
    if row.get("error"):
        return head + f"<h1>{_escape(title)}</h1><p>{badge} {_escape(row['error'])}</p></html>\n"
    gap = row.get("gap")
    return (
        head
        + f"<h1>{_escape(title)}</h1><p class=muted>{_escape(row['id'])}</p>"
        + f"<p>{badge} gap {f'{gap:.2f}' if gap is not None else '-'}: {_escape(row.get('explanation'))}</p>"
        + f'<div class="sides">{_side_html("envoy", row, sentences)}{_side_html("counterpart", row, sentences)}</div>'
        + f"<h2>Article</h2>{_legend()}<div class=body>{_body_html(sentences)}</div></html>\n"
    )


# ---- the index ---------------------------------------------------------------------------------------------------
@dataclass
class _Overview:
    """What the index keeps of each article: a few fields, never its sentences."""

    id: str
    title: str
    status: str
    envoy: str
    envoy_label: str
    counterpart: str
    counterpart_label: str
    gap: float | None
    explanation: str
    page: str | None

    @classmethod
    def of(cls, row: dict, page: str | None) -> "_Overview":
        return cls(
            id=row["id"],
            title=row.get("title") or row["id"],
            status=status_of(row),
            envoy=(row.get("envoy") or {}).get("name", ""),
            envoy_label=(row.get("envoy_stance") or {}).get("label", ""),
            counterpart=(row.get("counterpart") or {}).get("name", ""),
            counterpart_label=(row.get("counterpart_stance") or {}).get("label", ""),
            gap=row.get("gap"),
            explanation=row.get("error") or row.get("explanation") or row.get("note") or "",
            page=page,
        )


def gap_chart(gaps: list[float], flagged: list[bool], width: int = 560, height: int = 150) -> str:
    """An inline SVG histogram of gap scores, flagged articles stacked in red, with the flag threshold marked."""
    counts = [[0, 0] for _ in range(CHART_BINS)]
    for gap, flag in zip(gaps, flagged):
        counts[min(int(gap * CHART_BINS), CHART_BINS - 1)][int(flag)] += 1
    tallest = max([sum(c) for c in counts] + [1])
    left, bottom, bar = 30, height - 20, (width - 40) / CHART_BINS
    parts = [f'<svg role="img" aria-label="gap scores" width="{width}" height="{height}" font-size="10" font-family="sans-serif">']
    for i, (plain, red) in enumerate(counts):
        x = left + i * bar
        for value, offset, colour in ((plain, 0, "#95a5a6"), (red, plain, "#c0392b")):
            if value:
                top = bottom - (offset + value) / tallest * (bottom - 10)
                parts.append(f'<rect x="{x + 1:.1f}" y="{top:.1f}" width="{bar - 2:.1f}" height="{value / tallest * (bottom - 10):.1f}" fill="{colour}"/>')
    threshold_x = left + SETTINGS.gap_threshold * (width - 40)
    parts.append(f'<line x1="{threshold_x:.1f}" x2="{threshold_x:.1f}" y1="5" y2="{bottom}" stroke="#333" stroke-dasharray="3"/>')
    parts.append(f'<text x="{threshold_x + 3:.1f}" y="12">flag threshold {SETTINGS.gap_threshold}</text>')
    parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{bottom}" y2="{bottom}" stroke="#333"/>')
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<text x="{left + tick * (width - 40) - 6:.1f}" y="{height - 5}">{tick}</text>')
    parts.append(f'<text x="0" y="12">{tallest}</text></svg>')
    return "".join(parts)


def index_page(overviews: list[_Overview], model: str, finished: bool) -> str:
    statuses = [o.status for o in overviews]
    stats = {
        "articles": len(overviews),
        "flagged": statuses.count("flagged"),
        "no envoy": statuses.count("no-envoy"),
        "no counterpart": statuses.count("no-counterpart"),
        "errors": statuses.count("error"),
    }
    stats_html = "".join(f"<div><b>{value}</b>{name}</div>" for name, value in stats.items())
    scored = [o for o in overviews if o.gap is not None]
    chart = gap_chart([o.gap for o in scored], [o.status == "flagged" for o in scored]) if scored else ""
    filters = "".join(
        f'<label><input type=radio name=show value="{value}"{" checked" if value == "all" else ""}> {text}</label>'
        for value, text in (("all", "all"), ("flagged", "flagged only"), ("error", "errors only"),
                            ("no-envoy", "no envoy"), ("no-counterpart", "no counterpart"))
    )
    columns = [("#", "number"), ("title", ""), ("envoy", ""), ("envoy stance", ""), ("counterpart", ""),
               ("counterpart stance", ""), ("gap", "number"), ("flag", ""), ("explanation", "")]
    header = "".join(f'<th data-type="{kind}">{name}</th>' for name, kind in columns)
    rows = []
    for number, o in enumerate(overviews, 1):
        title = _escape(o.title[:140])
        link = f'<a href="{_escape(o.page)}">{title}</a>' if o.page else title
        gap = f"{o.gap:.2f}" if o.gap is not None else "-"
        rows.append(
            f'<tr class="{o.status}" data-id="{_escape(o.id)}"><td class=num>{number}</td><td>{link}</td>'
            f"<td>{_escape(o.envoy) or '-'}</td><td>{_escape(o.envoy_label)}</td><td>{_escape(o.counterpart) or '-'}</td>"
            f"<td>{_escape(o.counterpart_label)}</td><td class=num data-sort=\"{o.gap if o.gap is not None else -1}\">{gap}</td>"
            f'<td data-sort="{o.status}">{STATUS_BADGES[o.status]}</td><td>{_escape(o.explanation)}</td></tr>'
        )
    state = "" if finished else " (in progress: the run has not finished)"
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        _page_head("Misread report", INDEX_POLICY)
        + f"<h1>Misread report</h1><p class=muted>model {_escape(model)} &middot; {made}{state}</p>"
        + f'<div class="stats">{stats_html}</div>{chart}'
        + f'<p class="filters">{filters} <span class=muted><span id=shown>{len(overviews)}</span> shown; click a column to sort</span></p>'
        + f'<table id=overview><thead><tr>{header}</tr></thead><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"
        + f"<script>{SCRIPT}</script></html>\n"
    )


@dataclass
class HtmlReport:
    """Writes each article's page as it arrives and the index at the end (and every INDEX_EVERY articles).

    `path` is the index; article pages go to the folder `<path stem>_articles/` beside it.
    """

    path: Path
    model: str = "-"
    overviews: list[_Overview] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.pages = self.path.with_name(f"{self.path.stem}_articles")
        self.pages.mkdir(parents=True, exist_ok=True)

    def add_earlier(self, row: dict) -> None:
        """An article analysed by an earlier, resumed run: listed, and linked to its page if that run wrote one."""
        page = self.pages / page_name(row["id"])
        self.overviews.append(_Overview.of(row, f"{self.pages.name}/{page.name}" if page.exists() else None))

    def add(self, row: dict, sentences: list[dict]) -> None:
        page = self.pages / page_name(row["id"])
        page.write_text(article_page(row, sentences, self.path.name), encoding="utf-8")
        self.overviews.append(_Overview.of(row, f"{self.pages.name}/{page.name}"))
        if len(self.overviews) % INDEX_EVERY == 0:
            self.write_index(finished=False)

    def close(self, finished: bool = True) -> None:
        self.write_index(finished)

    def write_index(self, finished: bool) -> None:
        # Written beside and renamed, so a reader never opens a half-written index.
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(index_page(self.overviews, self.model, finished), encoding="utf-8")
        partial.replace(self.path)


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

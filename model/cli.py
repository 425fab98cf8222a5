"""The `misread` command: `misread analyze PATH... --out results.jsonl` (batch analysis of articles, resumable and
streaming) and `misread train [train.py options]`."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Iterator

from misread.model.classifier import DEFAULT_DEVICE, DEFAULT_PRECISION, DEVICES, PRECISIONS
from misread.model.pipeline import MAX_ARTICLE_CHARS, Article

EXIT_OK, EXIT_ARTICLE_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="misread", description="Framing and stance gaps in diplomacy and conflict news.")
    commands = parser.add_subparsers(dest="command", required=True)
    analyze = commands.add_parser("analyze", help="analyse articles and flag misreadings between envoy and counterpart")
    analyze.add_argument("paths", nargs="+", help="article files (.txt .md .html, .jsonl/.csv with id,title,text) or folders")
    analyze.add_argument("--out", required=True, help="JSON Lines output, one row per article; rerunning resumes it")
    analyze.add_argument("--sentences", help="also write one JSON line per sentence to this file")
    analyze.add_argument("--html", help="also write an HTML report: this index page, and one page per article in <name>_articles/ beside it")
    analyze.add_argument("--model", help="model folder, runs:/ or models:/ URI (default: the registry alias set by train.py)")
    analyze.add_argument("--tracking-uri", help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else mlflow.db in $MISREAD_HOME or the current folder)")
    analyze.add_argument("--envoy", help="name of the envoy, when automatic detection should be overridden")
    analyze.add_argument("--counterpart", help="name or alias of the counterpart party (e.g. Kremlin)")
    analyze.add_argument("--aliases", help="JSON file mapping parties to aliases, added to the built-in table")
    analyze.add_argument("--batch-size", type=int, default=64, help="sentences per classifier batch")
    analyze.add_argument("--precision", choices=PRECISIONS, default=DEFAULT_PRECISION, help="auto: bf16 on a GPU or where the CPU runs it natively, else fp32")
    analyze.add_argument("--device", choices=DEVICES, default=DEFAULT_DEVICE, help="auto: a CUDA GPU when there is one, else the CPU")
    analyze.add_argument("--articles-per-batch", type=int, default=16, help="articles parsed and classified together")
    analyze.add_argument("--parse-processes", type=int, help="parser processes (default: one per core, up to 4; 1 parses in this process)")
    analyze.add_argument("--max-chars", type=int, default=MAX_ARTICLE_CHARS, help="longer articles get an error row")
    analyze.add_argument("--quiet", action="store_true", help="no progress bar or table")
    commands.add_parser("train", add_help=False, help="fine-tune the framing classifier: the options of training/train.py (misread train --help)")
    return parser


def earlier_rows(out: Path) -> Iterator[dict]:
    """Rows an earlier run already wrote, streamed; a torn last line from a crash is cut off so that article is redone."""
    if not out.exists():
        return
    with out.open("rb+") as handle:
        complete = 0
        for line in handle:
            if not line.endswith(b"\n"):
                handle.truncate(complete)
                return
            complete += len(line)
            if line.strip():
                yield json.loads(line)


def _pending(articles: Iterator[Article], done: set[str]) -> Iterator[Article]:
    return (article for article in articles if article.id not in done)


def analyze(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from misread.model.classifier import ModelLoadError
    from misread.model.pipeline import ArticleAnalyzer, default_parse_processes
    from misread.model.readers import read_articles
    from misread.model.report import HtmlReport, summary_table
    from misread.model.tracking import describe_model, load_classifier

    try:
        classifier = load_classifier(args.model, args.tracking_uri, batch_size=args.batch_size, precision=args.precision, device=args.device)
    except ModelLoadError as err:
        print(f"misread: {err}", file=sys.stderr)
        return EXIT_USAGE
    try:
        analyzer = ArticleAnalyzer(
            classifier,
            aliases_file=args.aliases,
            envoy=args.envoy,
            counterpart=args.counterpart,
            max_chars=args.max_chars,
            articles_per_batch=args.articles_per_batch,
            parse_processes=args.parse_processes or default_parse_processes(),
        )
    except ValueError as err:
        print(f"misread: {err}", file=sys.stderr)
        return EXIT_USAGE

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wants_sentences = bool(args.sentences or args.html)
    report = HtmlReport(args.html, model=describe_model(args.model, args.tracking_uri)) if args.html else None
    done, failed_before = set(), 0
    for row in earlier_rows(out):  # only ids and counts are kept, and the report's few fields
        done.add(row["id"])
        failed_before += row.get("error") is not None
        if report:
            report.add_earlier(row)
    if report:
        report.write_index(finished=False)  # written once the earlier articles are listed: a resume never blanks it
    if done and not args.quiet:
        print(f"resuming: {len(done)} articles already in {out}", file=sys.stderr)
    failed, rows_for_table, finished = 0, [], False
    progress = tqdm(unit="article", desc="analyzing", disable=args.quiet)
    try:
        with out.open("a", encoding="utf-8") as results, open(args.sentences or os.devnull, "a", encoding="utf-8") as sentence_file:
            for row in analyzer.analyze(_pending(read_articles(args.paths), done), with_sentences=wants_sentences):
                sentences = row.pop("sentences", [])
                for sentence in sentences:
                    sentence_file.write(json.dumps(sentence, ensure_ascii=False) + "\n")
                # The article row goes last: its presence marks the article done for a resumed run.
                results.write(json.dumps(row, ensure_ascii=False) + "\n")
                results.flush()
                sentence_file.flush()
                if report:
                    report.add(row, sentences)
                failed += row.get("error") is not None
                if len(rows_for_table) < 1000:
                    rows_for_table.append(row)
                progress.update()
            progress.close()
        finished = True
    except KeyboardInterrupt:
        progress.close()
        print(f"\nmisread: interrupted. The articles finished so far are in {out}; run the same command again to "
              "resume where it stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if report:  # also on Ctrl-C or a crash: the index lists every article analysed so far
            report.close(finished)
    if not args.quiet:
        print(summary_table(rows_for_table))
        print(f"\n{progress.n} articles analysed, {failed} with errors, results in {out}")
    return EXIT_ARTICLE_ERRORS if failed or failed_before else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["train"]:
        # The user asked to train: the one path from the command line into training code, imported only here.
        from misread.training.train import main as train

        train(argv[1:])
        return EXIT_OK
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.command == "analyze":
        return analyze(args)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

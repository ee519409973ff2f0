"""The ``compendium`` command: fetch data, add a source, run notebooks, check findings, list valid choices."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

import yaml

from .. import paths


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="compendium", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    f = sub.add_parser("fetch", help="download (or copy from a mirror) every registered raw file, checking sha256")
    f.add_argument("--mirror", type=Path, help=f"local directory laid out like the data mirror (or ${paths.MIRROR_ENV})")
    f.add_argument("ids", nargs="*", help="source ids (default: all)")

    a = sub.add_parser("add-source", help="register a downloaded file (a path or a URL): registry entry, sha256, "
                                          "size, and its year's column-map rows proposed and checked")
    a.add_argument("file", help="the file's path, or its https:// URL")
    a.add_argument("--role", required=True, help="what kind of table it is, e.g. ks4_school_full (see data/sources.yml)")
    a.add_argument("--year", required=True, type=int, help="academic year END the data describe (2018 = 2017/18)")
    a.add_argument("--la", help="for a per-LA download, the LA code")
    a.add_argument("--url", help="the official URL it was downloaded from (provenance; required for a path "
                                 "unless the file lies in the data mirror)")
    a.add_argument("--dry-run", action="store_true", help="print what would be written, write nothing")

    r = sub.add_parser("run", help="run notebooks into <out>/<report set>/ (HTML, findings.json, manifest.json)")
    r.add_argument("--year", help="academic year END (2017 = 2016/17); default: each notebook's own")
    r.add_argument("--la", help="DfE local authority code, e.g. 330 (a string)")
    r.add_argument("--only", nargs="+", metavar="NAME", help="run only these notebooks")
    r.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"), default=[],
                   help="set a notebook parameter (codes stay strings)")
    r.add_argument("--params", type=Path, metavar="FILE.yaml", help="YAML file of notebook parameters")
    r.add_argument("--out", type=Path, help="output directory (default: reports/)")
    r.add_argument("--jobs", type=int, help="notebooks run in parallel (default: number of cores)")
    r.add_argument("--no-cache", action="store_true", help="rerun every notebook even if its inputs are unchanged")
    r.add_argument("--quiet", action="store_true", help="no progress bars")

    c = sub.add_parser("check", help="print published vs reproduced; exit 1 if any finding differs")
    c.add_argument("directory", nargs="?", type=Path, default=paths.REPORTS)

    ch = sub.add_parser("choices", help="which notebook runs for which year (and LA), and every parameter's "
                                        "type, default and allowed values")
    ch.add_argument("--la", help="the matrix for this LA (default: each notebook's default LA)")
    ch.add_argument("--las", action="store_true", help="also list every valid LA code")

    sub.add_parser("site", help="rebuild reports/index.html from the runs present")

    pdf = sub.add_parser("pdf", help="print every policy report to A4 PDF beside it (<set>/policy/<name>.pdf)")
    pdf.add_argument("directory", nargs="?", type=Path, default=paths.REPORTS)
    return p


def _run_params(args: argparse.Namespace) -> dict:
    from ..errors import ParameterError

    params: dict = {}
    if args.params:
        try:
            loaded = yaml.safe_load(args.params.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ParameterError(f"--params {args.params}: cannot read a YAML mapping ({exc})") from None
        if not isinstance(loaded, dict):
            raise ParameterError(f"--params {args.params}: expected a YAML mapping of name: value")
        params.update(loaded)
    params.update({name: value for name, value in args.param})
    return params


def _run(args: argparse.Namespace) -> int:
    from . import runner

    params = _run_params(args)
    year = params.pop("year", args.year)
    la = params.pop("la", args.la)
    summary = runner.run(year=year, la=None if la is None else str(la), only=args.only, params=params,
                         out=args.out, jobs=args.jobs, use_cache=not args.no_cache, progress=not args.quiet,
                         log=lambda m: print(m, file=sys.stderr))
    counts = ", ".join(f"{n} {s}" for s, n in sorted(summary["status_counts"].items()))
    slowest = ", ".join(f"{name} {s} s" for name, s in summary["slowest"])
    print(
        f"done in {summary['seconds']} s: {summary['notebooks']} notebook runs "
        f"({summary['executed']} run{f', slowest: {slowest}' if slowest else ''}; "
        f"{summary['reused']} unchanged) into {', '.join(summary['sets'])}; "
        f"findings: {counts}. Open {summary['out']}/index.html"
    )
    if summary["status_counts"].get("differs"):
        print(f"{summary['status_counts']['differs']} findings differ from their published values "
              "(each report's note says why): `compendium check` lists them.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from ..errors import CompendiumError, RunError

    interrupted = []
    if argv is None and threading.current_thread() is threading.main_thread():
        def on_sigint(signum, frame):
            # Remembered: a kernel started the usual way (no fork server) shares the terminal's Ctrl-C, so its
            # notebook's failure can reach this function before the KeyboardInterrupt does; still an interrupt: 130.
            interrupted.append(signum)
            signal.default_int_handler(signum, frame)

        signal.signal(signal.SIGINT, on_sigint)
    try:
        if args.command == "fetch":
            from ..data import sources

            files = sources.fetch(args.ids or None, mirror=args.mirror)
            print(f"fetched and verified {len(files)} files into {paths.raw_dir()}")
            return 0
        if args.command == "add-source":
            from ..data import add_source

            for line in add_source.add_source(args.file, role=args.role, year=args.year, la=args.la, url=args.url,
                                              dry_run=args.dry_run):
                print(line)
            return 0
        if args.command == "run":
            return _run(args)
        if args.command == "check":
            from .. import findings
            from ..present import summary

            text, differs = findings.check(args.directory, fmt=summary.check_value)
            print(text)
            return 1 if differs else 0
        if args.command == "choices":
            from . import choices

            print(choices.describe(la=args.la, list_las=args.las))
            return 0
        if args.command == "site":
            from . import site

            print(site.write_site_index(paths.REPORTS))
            return 0
        if args.command == "pdf":
            from . import pdf

            written = pdf.write_pdfs(args.directory)
            print(f"wrote {len(written)} PDFs under {args.directory}")
            return 0
    except (KeyboardInterrupt, RunError) as exc:
        if isinstance(exc, RunError) and not interrupted:
            print(f"error: {exc}\nThe previous reports were left untouched.", file=sys.stderr)
            return 1
        print("interrupted; previous reports untouched", file=sys.stderr)
        if argv is None:  # the command itself: exit now (the notebook threads of killed kernels would take
            sys.stdout.flush()  # seconds to notice, and the interpreter waits for them); a caller's process lives on
            sys.stderr.flush()
            try:
                from .pool import remove_stopped_build_folders

                remove_stopped_build_folders()  # what a thread still running wrote since the stop: last, before exit
            finally:  # a second Ctrl-C during it still exits at once
                os._exit(130)
        return 130
    except (CompendiumError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

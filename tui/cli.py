"""The `ddsecure` command line: a thin shell over the core.

Only the standard library and `tui.core` are imported at start-up; each interactive command imports
its UI library when it runs, so `ddsecure generate` never loads textual or questionary.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from tui.core.errors import DdsecureError
from tui.exit_codes import EXIT_CODES_HELP, EXIT_DIFFERENT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from tui.terminal import require_terminal


class UsageError(DdsecureError):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line and go through our own exit path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter with the terminal width found once, without importing shutil (preset-mode speed)."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_help_width())


class _RawFormatter(argparse.RawDescriptionHelpFormatter, _Formatter):
    """Keeps the description's and epilog's own lines (the exit-code table)."""


@functools.cache
def _help_width() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.stdout.fileno()).columns
    except (ValueError, OSError, AttributeError):
        columns = 80
    return max(columns - 2, 40)


def _directory(text: str) -> Path:
    """An output directory: an empty one would silently be the current directory."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path names no directory")
    return Path(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ddsecure",
        description="Least-privilege Datadog Agent deployments for Kubernetes, with every privilege explained.",
        epilog=EXIT_CODES_HELP,
        formatter_class=_RawFormatter,
    )
    from tui import __version__

    parser.add_argument("--version", action="version", version=f"ddsecure {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def add_answer_sources(p: Any, *, required_set: bool = True, prefix: str = "") -> None:
        source = p.add_mutually_exclusive_group()
        source.add_argument(
            "--preset",
            dest=f"{prefix}preset",
            metavar="NAME",
            help="start from a built-in preset (see 'ddsecure presets')",
        )
        source.add_argument(
            "--answers", dest=f"{prefix}answers", metavar="FILE", type=Path, help="start from an answers file (YAML)"
        )
        if required_set:
            p.add_argument(
                "--set",
                dest="sets",
                metavar="ID=VALUE",
                action="append",
                default=[],
                help="override one answer; lists are comma-separated (system_probe=npm,usm)",
            )

    gen = sub.add_parser("generate", help="write the bundle for a preset or answers file, non-interactively")
    add_answer_sources(gen)
    gen.add_argument("-o", "--output", metavar="DIR", type=_directory, required=True, help="directory to write")
    gen.add_argument("--force", action="store_true", help="replace the bundle's files in a non-empty DIR")
    gen.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff if DIR differs")
    gen.add_argument("--base", metavar="FILE", type=Path, help="start from your own values file and edit it in place")
    gen.add_argument("--apply", metavar="SETTING", action="append", help="with --base: also change a key you set")
    add_target(gen)

    sub.add_parser("presets", help="list the built-in presets")

    explain = sub.add_parser("explain", help="print the trade-offs of a decision (all decisions without ID)")
    explain.add_argument("id", nargs="?", metavar="ID", help="an answer id, e.g. dogstatsd; `cluster` for RBAC")

    # Bare `ddsecure` is the wizard, so it takes the wizard's options too (`ddsecure -o DIR`). Their own
    # dests let `dispatch` refuse them before another command, where that command's defaults would hide them.
    bare = parser.add_argument_group("without a command: the full-screen wizard, with these options")
    add_answer_sources(bare, required_set=False, prefix=BARE)
    bare.add_argument(
        "-o", "--output", dest=f"{BARE}output", metavar="DIR", type=_directory, help="directory to export to"
    )
    add_target(bare, prefix=BARE)

    wizard = sub.add_parser("wizard", help="full-screen wizard (Textual)")
    add_answer_sources(wizard, required_set=False)
    wizard.add_argument("-o", "--output", metavar="DIR", type=_directory, help="directory to export to")
    add_target(wizard)

    ask = sub.add_parser("ask", help="line-by-line wizard for plain terminals (questionary)")
    add_answer_sources(ask, required_set=False)
    ask.add_argument("-o", "--output", metavar="DIR", type=_directory, help="directory to write")
    ask.add_argument("--base", metavar="FILE", type=Path, help="start from your own values file, edited in place")
    add_target(ask)

    completion = sub.add_parser("completion", help="print a shell completion script (bash, zsh or fish)")
    completion.add_argument("shell", metavar="SHELL", choices=("bash", "zsh", "fish"))

    audit = sub.add_parser(
        "audit",
        help="audit values files, chart releases, rendered manifests or DatadogAgents (files or directories)",
        description=AUDIT_DESCRIPTION,
        epilog=EXIT_CODES_HELP,
        formatter_class=_RawFormatter,
    )
    audit.add_argument(
        "paths",
        metavar="PATH",
        nargs="+",
        type=Path,
        help="a file or a directory (searched recursively for *.yaml and *.yml); one FILE is audited "
        "whatever it holds, several paths or a directory only their Datadog files",
    )
    audit.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="text (default): a report per file; json: one document listing the files; sarif: SARIF 2.1.0 "
        "for code scanning, one run over every file",
    )
    audit.add_argument(
        "--fail-on",
        choices=("none", "info", "low", "medium", "high"),
        default="high",
        help="exit 1 when a finding is this severe or more (default: high); none: never exit 1",
    )
    audit.add_argument(
        "--discover",
        action="store_true",
        help="audit only the Datadog files among the PATHs even when there is one file (pre-commit hook)",
    )
    audit.add_argument(
        "-v", "--verbose", action="store_true", help="with a directory or several paths: say why each file is skipped"
    )
    audit.add_argument("--fix", action="store_true", help="edit your values (a copy, in DIR) and write the bundle")
    audit.add_argument(
        "--apply",
        metavar="FINDING",
        action="append",
        help="with --fix: also apply a fix that changes something you set (ID or ID:KEY; all-safe: those that cost "
        "nothing); repeatable",
    )
    audit.add_argument("-o", "--output", metavar="DIR", type=_directory, help="with --fix: directory to write")
    audit.add_argument("--force", action="store_true", help="with --fix: replace files in a non-empty DIR")
    audit.add_argument("--render", action="store_true", help="also render the values with real helm and compare")
    audit.add_argument(
        "--chart", metavar="DIR|REPO/NAME", help="for --render: a chart directory, or a chart reference with --version"
    )
    audit.add_argument("--version", metavar="V", help="for --render with --chart REPO/NAME: the chart version")
    audit.add_argument(
        "--target", choices=("helm", "operator", "both"), default="helm", help="with --fix: what to write"
    )
    audit.add_argument(
        "--expect",
        metavar="PRIVILEGES_JSON",
        type=Path,
        help="manifests only: exit 1 unless the DaemonSet grants exactly what this privileges.json lists",
    )
    return parser


AUDIT_DESCRIPTION = """\
What a values file, a release of datadog/datadog (Flux HelmRelease and the
ConfigMap its valuesFrom reads, Argo CD Application or ApplicationSet, Kustomize
helmCharts, k3s HelmChart, helmfile, an umbrella chart's values), rendered
manifests or a DatadogAgent really grant,
with the key responsible for each privilege.
Given a directory or several paths, only the files that concern the Datadog
chart or Agent are audited; every other YAML file is skipped (--verbose: why)."""

BARE = "bare_"  # dest prefix of the options given without a command
WIZARD_OPTIONS = ("preset", "answers", "output", "target")


def add_target(parser: Any, prefix: str = "") -> None:
    parser.add_argument(
        "--target",
        dest=f"{prefix}target",
        choices=("helm", "operator", "both"),
        default=None if prefix else "both",
        help="what to write: Helm values + patch, a DatadogAgent for the Operator, or both",
    )


def cmd_generate(args: argparse.Namespace, out: TextIO) -> int:
    from tui.core.answers.files import resolve_answers
    from tui.core.output.bundle import build_bundle, bundle_diff, write_bundle
    from tui.core.output.next_steps import next_steps

    answers = resolve_answers(preset=args.preset, answers_file=args.answers, sets=args.sets)
    if args.base is not None:
        from tui.audit_command import generate_from_base

        return generate_from_base(answers, args, out)
    if args.apply:
        raise UsageError("--apply is only used with --base")
    files = build_bundle(answers, target=args.target)
    if args.check:
        diff = bundle_diff(files, args.output)
        if diff:
            out.write(diff)
            out.write(f"{args.output} differs from the bundle for these answers\n")
            return EXIT_DIFFERENT
        out.write(f"{args.output} holds exactly this bundle\n")
        return EXIT_OK
    written = write_bundle(files, args.output, force=args.force, compare_flag="--check")
    out.write(f"wrote {len(written)} files to {args.output}:\n")
    out.writelines(f"  {path.name}\n" for path in written)
    out.write("next:\n")
    out.writelines(f"  {line}\n" for line in next_steps(answers, args.target).lines(args.output))
    return EXIT_OK


def cmd_presets(out: TextIO) -> int:
    from tui.core.answers.files import load_preset, preset_names

    names = preset_names()
    width = max(map(len, names), default=0)
    for name in names:
        out.write(f"{name:<{width}}  {load_preset(name).description}\n")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    from tui.core.answers.decisions import DECISIONS, DECISIONS_BY_ID
    from tui.core.output.explain import explain

    if args.id is None:
        out.write("\n".join(explain(d) for d in DECISIONS))
        return EXIT_OK
    if args.id == "cluster":
        from tui.core.answers.contract import Answers
        from tui.core.output.cluster_report import explain_cluster

        out.write(explain_cluster(Answers()))
        return EXIT_OK
    decision = DECISIONS_BY_ID.get(args.id)
    if decision is None:
        raise UsageError(f"unknown answer id {args.id!r}; valid ids: {', '.join(DECISIONS_BY_ID)}")
    out.write(explain(decision))
    return EXIT_OK


def parse_arguments(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse; the options given without a command become the wizard's, as with `ddsecure wizard`."""
    args = parser.parse_args(argv)
    given = {name: getattr(args, BARE + name) for name in WIZARD_OPTIONS if getattr(args, BARE + name) is not None}
    for name in WIZARD_OPTIONS:
        delattr(args, BARE + name)
    if args.command is not None and given:
        options = ", ".join(f"--{name}" for name in given)
        raise UsageError(f"{options} must follow the command ('ddsecure {args.command} {options.split(',')[0]} ...')")
    if args.command is None:
        for name in WIZARD_OPTIONS:
            setattr(args, name, given.get(name))
    return args


def dispatch(args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO, err: TextIO | None = None) -> int:
    command = args.command
    if command == "generate":
        return cmd_generate(args, out)
    if command == "presets":
        return cmd_presets(out)
    if command == "explain":
        return cmd_explain(args, out)
    if command == "ask":
        require_terminal("ask")
        from tui.ask import run_ask

        return run_ask(args)
    if command == "audit":
        from tui.audit_paths import SINGLE_FILE_OPTIONS, audits_many, run_audit_paths

        paths = list(getattr(args, "paths", None) or [args.file])
        if audits_many(args, paths):
            return run_audit_paths(args, paths, out, err)
        from tui.audit_command import run_audit
        from tui.core.wrappers import SeveralReleases

        args.file = paths[0]
        try:
            return run_audit(args, out)
        except SeveralReleases:
            if any(getattr(args, name, None) for name in SINGLE_FILE_OPTIONS):
                raise
            return run_audit_paths(args, paths, out, err)  # each release of the file, as in a repository
    if command == "completion":
        from tui.completion import completion_script

        out.write(completion_script(args.shell, parser))
        return EXIT_OK
    if command == "wizard" or command is None:
        require_terminal("wizard" if command else "")
        from tui.app.run import run_wizard

        return run_wizard(args)
    raise UsageError(f"unknown command {command!r}")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        return dispatch(parse_arguments(parser, argv), parser, out, err)
    except DdsecureError as error:
        err.write(f"ddsecure: error: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("ddsecure: interrupted; nothing was written\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and the like: exit quietly, as other CLI tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK

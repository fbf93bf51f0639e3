"""`ddsecure audit PATH...` over directories and many files: the Datadog files among them, one report each.

Which files concern Datadog is decided in `tui.core.audit.discovery`; this shell audits each target
(imports and the chart model are loaded once, for the first), writes one text, JSON or SARIF document
for all of them, and returns the worst exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from tui.core.errors import DdsecureError
from tui.exit_codes import EXIT_DIFFERENT, EXIT_OK, EXIT_USAGE

# With more files than this, a terminal shows which one is being audited.
PROGRESS_AFTER = 5
SINGLE_FILE_OPTIONS = {"fix": "--fix", "expect": "--expect", "apply": "--apply", "output": "-o"}


class AuditPathsError(DdsecureError):
    pass


def audits_many(args: argparse.Namespace, paths: list[Path]) -> bool:
    """A directory, several paths or --discover: audit the Datadog files among them, skip the rest."""
    return bool(getattr(args, "discover", False)) or len(paths) != 1 or Path(paths[0]).is_dir()


def run_audit_paths(args: argparse.Namespace, paths: list[Path], out: TextIO, err: TextIO | None = None) -> int:
    from tui.core.audit.audit import audit_input
    from tui.core.audit.discovery import discover

    err = err or sys.stderr
    for name, flag in SINGLE_FILE_OPTIONS.items():
        if getattr(args, name, None):
            raise AuditPathsError(f"{flag} works on one file; name a single FILE, not {_what(paths)}")
    found = discover(paths)
    if getattr(args, "verbose", False):
        for skipped in found.skipped:
            err.write(f"skipped {skipped.name}: {skipped.reason}\n")
    fail_on = getattr(args, "fail_on", "high") or "high"
    progress = _Progress(err, len(found.targets))
    per_file: dict[Path, int] = {}
    for target in found.targets:
        per_file[target.path] = per_file.get(target.path, 0) + 1
    audits: list[tuple[Any, Any]] = []
    errors = [(u.name, u.error) for u in found.unreadable]
    try:
        for number, target in enumerate(found.targets, 1):
            progress.show(number, target.given.name)
            try:
                report = audit_input(
                    target.given,
                    render=bool(getattr(args, "render", False)),
                    chart=getattr(args, "chart", None),
                    version=getattr(args, "version", None),
                )
            except DdsecureError as error:
                errors.append((target.given.name, str(error)))
                continue
            audits.append((target, report))
    finally:  # Ctrl-C included: the interruption message starts on a clean line
        progress.done()
    # Each file that could not be audited: its one line on stderr too, whatever the format of stdout.
    err.writelines(f"ddsecure: error: {message}\n" for _, message in errors)
    fmt = getattr(args, "format", "text") or "text"
    elsewhere = [(e.name, e.reason) for e in found.elsewhere]
    if fmt == "json":
        document = _json(audits, errors, fail_on)
        document["valuesElsewhere"] = [{"file": name, "why": why} for name, why in elsewhere]
        out.write(json.dumps(document, indent=2, default=str) + "\n")
    elif fmt == "sarif":
        from tui.core.audit.locations import line_finder
        from tui.core.audit.sarif import to_sarif_files

        located = [(report, _uri(target.given.name), line_finder(target.given)) for target, report in audits]
        out.write(json.dumps(to_sarif_files(located, [(_uri(n), m) for n, m in errors]), indent=2) + "\n")
    else:
        out.write(_text(audits, errors, per_file, fail_on, elsewhere))
    if errors:
        return EXIT_USAGE
    if fail_on != "none" and any(report.reaches(fail_on) for _, report in audits):
        return EXIT_DIFFERENT
    return EXIT_OK


def _uri(name: str) -> str:
    """Relative to the current directory when below it (what code scanning expects), else a file: URI."""
    return Path(name).as_uri() if Path(name).is_absolute() else name


def _what(paths: list[Path]) -> str:
    return f"{len(paths)} paths" if len(paths) != 1 else f"the directory {paths[0]}"


def _json(audits: list[tuple[Any, Any]], errors: list[tuple[str, str]], fail_on: str) -> dict[str, Any]:
    files = []
    for target, report in audits:
        document = report.as_json()
        document["source"] = target.what
        files.append(document)
    return {
        "failOn": fail_on,
        "files": files,
        "errors": [{"file": name, "error": message} for name, message in errors],
    }


def _text(
    audits: list[tuple[Any, Any]],
    errors: list[tuple[str, str]],
    per_file: dict[Path, int],
    fail_on: str,
    elsewhere: list[tuple[str, str]],
) -> str:
    from tui.audit_command import format_text

    parts = []
    for target, report in audits:
        header, _, rest = format_text(report).partition("\n")
        wrapped = target.given.source is not None and target.given.source.wrapped
        if wrapped or per_file[target.path] > 1:  # which release of the file this is
            header += f" — {target.what}"
        parts.append(f"{header}\n{rest}")
    parts += [f"ddsecure audit: {name} (not audited)\n  error: {message}\n" for name, message in errors]
    parts += [f"ddsecure audit: {name} (its values are not in it)\n  {why}\n" for name, why in elsewhere]
    count = len({target.given.name for target, _ in audits})
    if not (count or errors or elsewhere):
        return "ddsecure audit: no Datadog file found (--verbose says why each YAML file was skipped)\n"
    reached = [] if fail_on == "none" else [target for target, report in audits if report.reaches(fail_on)]
    failing = list(dict.fromkeys(target.given.name for target in reached))
    summary = [f"{count} Datadog file(s) audited; {len(failing)} with a finding at --fail-on {fail_on}"]
    summary += [f"  {name}" for name in failing]
    if errors:
        summary.append(f"{len(errors)} could not be audited:")
        summary += [f"  {name}" for name, _ in errors]
    if elsewhere:
        summary.append(f"{len(elsewhere)} release(s) of the chart whose values are elsewhere (audit those):")
        summary += [f"  {name}" for name, _ in elsewhere]
    return "\n".join(parts) + "\n" + "\n".join(summary) + "\n"


class _Progress:
    """One self-erasing line on a terminal's stderr; nothing when stderr is a file or a pipe."""

    def __init__(self, err: TextIO, total: int) -> None:
        isatty = getattr(err, "isatty", None)
        self.err, self.total = err, total
        self.on = total > PROGRESS_AFTER and bool(isatty and isatty())

    def show(self, number: int, name: str) -> None:
        if self.on:
            self.err.write(f"\r\x1b[Kauditing {number}/{self.total}: {name}")
            self.err.flush()

    def done(self) -> None:
        if self.on:
            self.err.write("\r\x1b[K")
            self.err.flush()

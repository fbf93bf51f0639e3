"""Colour for text written to a terminal: on only when the stream is one and NO_COLOR is not set
(https://no-color.org), so pipes, files and CI logs get plain text."""

from __future__ import annotations

import os
import re
from typing import TextIO

RESET = "\x1b[0m"
# SGR codes per audit severity: the worst is the loudest.
SEVERITY_COLOURS = {"high": "\x1b[1;31m", "medium": "\x1b[33m", "low": "\x1b[36m", "info": "\x1b[2m"}

_HEADER = re.compile(r"^  (HIGH|MEDIUM|LOW|INFO)$")
_FINDING = re.compile(r"^(    )(\[[^\]]+\])(.*)$")


def use_colour(stream: TextIO) -> bool:
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def colour_severities(text: str) -> str:
    """The audit's text report with each severity heading, and the ids of its findings, in its colour."""
    out, colour = [], ""
    for line in text.split("\n"):
        header = _HEADER.match(line)
        if header:
            colour = SEVERITY_COLOURS[header.group(1).lower()]
            out.append(f"  {colour}{header.group(1)}{RESET}")
            continue
        finding = _FINDING.match(line) if colour else None
        if finding:
            out.append(f"{finding.group(1)}{colour}{finding.group(2)}{RESET}{finding.group(3)}")
            continue
        if line and not line.startswith("    "):
            colour = ""  # the findings section ended
        out.append(line)
    return "\n".join(out)


def severities_for(stream: TextIO, text: str) -> str:
    return colour_severities(text) if use_colour(stream) else text

"""Agent 7 image tags: parsing, ordering and the facts that depend on the version."""

import re
from typing import NamedTuple

from tui.core.errors import AnswerError

_TAG = re.compile(r"^7\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-jmx|-full)?$")

# An image tag as the chart's semverCompare reads it: "7.51.0-full" is a pre-release of 7.51.0.
_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def _semver_key(text: str) -> tuple | None:
    match = _SEMVER.match(text)
    if not match:
        return None
    core = tuple(int(part or 0) for part in match.group(1, 2, 3))
    pre = match[4]
    if pre is None:
        return (core, (1,))
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (core, (0, parts))


def chart_tag_at_least(tag: str, floor: str) -> bool:
    """`semverCompare ">=floor"` on an image tag, as the chart does it; unparsable tags count as newest."""
    key, bound = _semver_key(tag), _semver_key(floor)
    return True if key is None or bound is None else key >= bound


# Below this the chart refuses to render unless its tag check is switched off.
OLDEST_SUPPORTED = (7, 36, 0)


class AgentVersion(NamedTuple):
    major: int
    minor: int
    patch: int
    flavour: str = ""  # "", "-jmx" or "-full": image variants with the same code

    @classmethod
    def parse(cls, text: str) -> "AgentVersion":
        match = _TAG.match(str(text).strip())
        if not match:
            raise AnswerError(
                f"agent_version: {text!r} is not an Agent 7 version; "
                "expected 7.MINOR.PATCH, optionally with -jmx or -full (e.g. 7.81.1)"
            )
        version = cls(7, int(match[1]), int(match[2]), match[3] or "")
        if version.triple < OLDEST_SUPPORTED:
            raise AnswerError(f"agent_version: {text} is older than 7.36.0, the oldest tag chart 3.240.0 renders")
        return version

    @property
    def triple(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def at_least(self, minor: int, patch: int = 0) -> bool:
        return self.triple >= (7, minor, patch)

    def _chart_at_least(self, floor: str) -> bool:
        """The chart's own version tests (it ignores a -jmx suffix but reads -full as a pre-release)."""
        return chart_tag_at_least(str(self).removesuffix("-jmx"), floor)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}{self.flavour}"

    @property
    def dd_agent_uid(self) -> int:
        """The numeric UID of the image's dd-agent user: 101 up to 7.47.x, 100 from 7.48.0."""
        return 100 if self.at_least(48) else 101

    @property
    def process_checks_in_core_agent(self) -> bool:
        """From 7.60 the core agent runs process checks; before, a process-agent container does."""
        return self._chart_at_least("7.60.0-0")

    @property
    def orchestrator_needs_process_agent(self) -> bool:
        """Before 7.51 the chart adds a process-agent for the Orchestrator Explorer pod check."""
        return not self._chart_at_least("7.51.0")

    @property
    def discovery_on_by_default(self) -> bool:
        """From 7.78 the chart turns on service discovery, which brings system-probe."""
        return self._chart_at_least("7.78.0-0")

"""The datadog chart's known values keys (generated data), and what to say about a key that is not one."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tui.core.wrappers.umbrella import SECTIONS
from tui.core.yamlio.dotted import is_map

DATA = Path(__file__).resolve().parent.parent / "data" / "chart_keys.json"

# Maps whose content is Kubernetes or Agent configuration passed through verbatim: any key is valid below.
OPEN_NAMES = frozenset(
    {
        "securityContext",
        "containerSecurityContext",
        "resources",
        "affinity",
        "nodeSelector",
        "tolerations",
        "annotations",
        "podAnnotations",
        "labels",
        "podLabels",
        "additionalLabels",
        "commonLabels",
        "env",
        "envFrom",
        "envDict",
        "volumes",
        "volumeMounts",
        "confd",
        "checksd",
        "customAgentConfig",
        "dnsConfig",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "updateStrategy",
        "deploymentStrategy",
        "podSecurityContext",
        "service",
        "lifecycle",
        "tags",
        "kubeStateMetricsCore",
        "clusterChecks",
        "args",
        "command",
    }
)

# Keys users reach for that do nothing: what actually does the job.
NO_OP_HINTS = {
    "datadog.systemProbe.enabled": "the chart has no such switch; datadog.discovery.enabled: false removes "
    "system-probe when no system-probe feature is on",
    "agents.containers.systemProbe.enabled": "the chart has no such switch; datadog.discovery.enabled: false removes "
    "system-probe when no system-probe feature is on",
    "datadog.dogstatsd.enabled": "there is no DogStatsD switch; set agents.containers.agent.env "
    "[{name: DD_USE_DOGSTATSD, value: 'false'}]",
    "datadog.processAgent.runInCoreAgent": "no effect on Agent 7.78 and later",
}


@dataclass(frozen=True)
class ChartKeys:
    keys: dict[str, str]
    commented: frozenset[str]
    deprecated: dict[str, dict[str, str]]

    def known(self, dotted: str) -> bool:
        return dotted in self.keys or dotted in self.commented

    def kind(self, dotted: str) -> str:
        return self.keys.get(dotted, "commented" if dotted in self.commented else "")

    def is_open(self, dotted: str) -> bool:
        """Below this key, anything goes (free-form maps, commented-out keys, empty defaults)."""
        last = dotted.rsplit(".", 1)[-1]
        return last in OPEN_NAMES or self.kind(dotted) in ("empty-map", "null", "list", "commented", "scalar", "bool")

    def children(self, parent: str) -> list[str]:
        prefix = parent + "." if parent else ""
        return [
            k
            for k in (*self.keys, *self.commented)
            if k.startswith(prefix) and "." not in k[len(prefix) :] and k != parent
        ]

    def suggest(self, dotted: str) -> str | None:
        """The closest real key: first among the siblings, then anywhere in the chart."""
        parent, _, last = dotted.rpartition(".")
        siblings = {k.rpartition(".")[2]: k for k in self.children(parent)}
        close = difflib.get_close_matches(last, list(siblings), n=1, cutoff=0.75)
        if close:
            return siblings[close[0]]
        lowered = {k.rpartition(".")[2].lower(): k for k in self.children(parent)}
        if last.lower() in lowered:
            return lowered[last.lower()]
        close = difflib.get_close_matches(dotted, list(self.keys), n=1, cutoff=0.85)
        return close[0] if close else None

    def relocation(self, dotted: str, value: Any) -> str | None:
        """Where the chart reads a key that is unknown here: one level up or down (`datadog.` added or
        removed), or else under the one other section that has it (a top-level `admissionController` is
        `clusterAgent.admissionController`; `image`, which several sections have, has no one place). A
        place that holds a map is no place for a scalar."""
        head, _, rest = dotted.partition(".")
        near = [f"datadog.{dotted}", *([rest] if head == "datadog" else [])]
        away = [f"{section}.{rest if head in SECTIONS else dotted}" for section in SECTIONS if section != head]
        for candidates in (near, away):
            fits = [c for c in candidates if c in self.keys and (self.kind(c) != "map" or is_map(value))]
            if len(fits) == 1 or (fits and candidates is near):
                return fits[0]
        return None

    def shaped(
        self, values: Mapping[str, Any], memo: dict[tuple[int, str], Shaped] | None = None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The values with every wrongly shaped block dropped (helm fails on it or ignores it; a falsy one
        reads as null, no defaults below it), and each dropped key with the type it had.

        `memo`: the shaping of earlier versions of these values (an edit copies only the mappings along
        its path): a mapping already shaped, the very same object, is not walked again. Valid only while
        none of those trees is changed in place."""
        memo = {} if memo is None else memo

        def clean(tree: Mapping[str, Any], prefix: str) -> Shaped:
            known = memo.get((id(tree), prefix))
            if known is not None and known[0] is tree:
                return known
            out: dict[str, Any] = {}
            dropped: list[tuple[str, str]] = []
            for key, value in tree.items():
                dotted = f"{prefix}{key}"
                if self.kind(dotted) == "map" and value is not None and not is_map(value):
                    dropped.append((dotted, type(value).__name__))
                    if not value:  # "", 0, false, []: the templates' `if` reads none of the chart's defaults
                        out[str(key)] = None
                    continue
                if is_map(value) and self.kind(dotted) == "map" and not self.is_open(dotted):
                    _, value, inner = clean(value, dotted + ".")
                    dropped += inner
                out[str(key)] = value
            memo[(id(tree), prefix)] = shaped = (tree, out, tuple(dropped))
            return shaped

        _, out, dropped = clean(values, "")
        return out, list(dropped)


# A shaped mapping: (the tree as given, kept so that its id stays its own; the tree shaped; the drops).
Shaped = tuple[Mapping[str, Any], dict[str, Any], tuple[tuple[str, str], ...]]


@cache
def chart_keys() -> ChartKeys:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return ChartKeys(data["keys"], frozenset(data["commented"]), data["deprecated"])

"""Which kind of input a parsed YAML stream is: chart values, rendered manifests, or Operator input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui.core.errors import InputFileError
from tui.core.operator.resource import KIND
from tui.core.wrappers.umbrella import SECTIONS


def is_manifest(document: Any) -> bool:
    return isinstance(document, Mapping) and "kind" in document and "apiVersion" in document


def detect(documents: Sequence[Any], where: str) -> str:
    """ "values", "manifests" or "operator"; anything else is refused with one line."""
    if not documents:
        return "values"  # an empty values file (or only comments): helm installs the chart's defaults
    if any(is_manifest(d) for d in documents):
        if any(isinstance(d, Mapping) and d.get("kind") == KIND for d in documents) and not any(
            isinstance(d, Mapping) and d.get("kind") == "DaemonSet" for d in documents
        ):
            return "operator"
        return "manifests"
    if len(documents) > 1:
        raise InputFileError(
            f"{where}: {len(documents)} YAML documents but no Kubernetes manifest; a values file has one"
        )
    document = documents[0]
    if not isinstance(document, Mapping):
        raise InputFileError(f"{where}: expected a mapping of chart values, got {_name(document)}")
    bad = [k for k in document if not isinstance(k, str)]
    if bad:
        raise InputFileError(f"{where}: top-level key {bad[0]!r} is not a string; not a values file")
    if document.get("apiVersion") in ("v1", "v2") and {"name", "version"} <= set(document):
        raise InputFileError(
            f"{where}: a chart's Chart.yaml (its name, version and dependencies), not values: audit the "
            "values.yaml beside it"
        )
    return "values"


def _name(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


# --- recognising Datadog files among a repository's YAML (`ddsecure audit DIR`) ---------------------

# The sections only the datadog chart's values have together; another chart may share one name
# (`agents:` of a CI runner chart, `datadog:` of an app chart's metrics switch), rarely its content.
VALUES_SECTIONS = SECTIONS  # the chart's own top-level sections
# Below a section, at least this share of the keys must be the chart's own for the file to be its values.
ANCHOR_KEYS = 2  # top-level keys of its own a values file may hold beside the chart's sections
KNOWN_SHARE = 2 / 3


def values_mismatch(document: Any) -> str:
    """Why `document` is not the datadog chart's values ("" when it is): another chart's values share a
    section name or two, but not the top-level layout and the keys below those sections."""
    from tui.core.chart.keys import chart_keys

    if not isinstance(document, Mapping) or not document:
        return "not a mapping of values"
    if any(not isinstance(key, str) for key in document):
        return "a top-level key is not a string"
    sections = [key for key in VALUES_SECTIONS if isinstance(document.get(key), Mapping)]
    if not sections:
        return f"no {', '.join(f'{s}:' for s in VALUES_SECTIONS)} section"
    keys = chart_keys()

    def chart_key(dotted: str, value: Any) -> bool:
        """The chart's, here or at the level or in the section the chart reads it from (a misplaced key
        is a mistake in the chart's values, which the audit is for)."""
        return keys.known(dotted) or keys.relocation(dotted, value) is not None

    unknown = [key for key, value in document.items() if not chart_key(key, value)]
    below = {f"{s}.{key}": value for s in sections for key, value in document[s].items() if isinstance(key, str)}
    known = [key for key, value in below.items() if chart_key(key, value)]
    # A key or two of the file's own (anchors held apart: `x-off: &off false`) beside sections written with
    # the chart's keys; another chart's values have many keys of their own.
    anchors_beside = len(unknown) <= ANCHOR_KEYS and len(known) >= ANCHOR_KEYS + 1
    if len(unknown) * 3 > len(document) and not anchors_beside:
        return f"top-level keys the datadog chart does not have: {', '.join(sorted(unknown)[:5])}"
    if not known or len(known) < KNOWN_SHARE * len(below):
        strange = sorted(set(below) - set(known))
        return f"keys the datadog chart does not have: {', '.join(strange[:5])}"
    return ""


# Settings only the Agent itself reads (an application's DD_AGENT_HOST, DD_ENV... point at an Agent).
AGENT_SETTINGS = frozenset(
    {"DD_API_KEY", "DD_SITE", "DD_DD_URL", "DD_KUBERNETES_KUBELET_HOST", "DD_CLUSTER_AGENT_ENABLED", "DD_HEALTH_PORT"}
)


def _is_datadog_image(container: Any) -> bool:
    return isinstance(container, Mapping) and "datadog" in str(container.get("image") or "").lower()


def is_agent_daemonset(document: Any) -> bool:
    """The Datadog node Agent's DaemonSet: an `agent` container with an image, and a Datadog image, the
    Agent's own settings or labels (a mirror registry hides the image; other vendors also name a container `agent`)."""
    from tui.core.pod.spec import pod_spec_of

    if not isinstance(document, Mapping) or document.get("kind") != "DaemonSet":
        return False
    containers = [c for c in pod_spec_of(document).get("containers") or [] if isinstance(c, Mapping)]
    agents = [c for c in containers if c.get("name") == "agent"]
    if not agents or not all(c.get("image") for c in agents):
        return False  # no Agent, or a strategic-merge patch of one (no image): nothing runs as written
    if any(_is_datadog_image(c) for c in containers):
        return True
    settings = {e.get("name") for c in agents for e in c.get("env") or [] if isinstance(e, Mapping)}
    if settings & AGENT_SETTINGS:
        return True
    metadata = document.get("metadata")
    labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
    return isinstance(labels, Mapping) and any("datadog" in str(v).lower() for v in labels.values())


def agent_daemonsets(documents: Sequence[Any]) -> list[Any]:
    """The Agent DaemonSets among manifests, `List` items included (`kubectl get -o yaml`)."""
    found = []
    for document in documents:
        if isinstance(document, Mapping) and document.get("kind") == "List" and isinstance(document.get("items"), list):
            found += agent_daemonsets(document["items"])
        elif is_agent_daemonset(document):
            found.append(document)
    return found


def is_datadog_agent(document: Any) -> bool:
    return (
        isinstance(document, Mapping)
        and document.get("kind") == KIND
        and str(document.get("apiVersion") or "").startswith("datadoghq.com/")
    )

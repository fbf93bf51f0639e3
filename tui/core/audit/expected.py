"""`ddsecure audit MANIFESTS --expect privileges.json`: does a DaemonSet grant exactly what the bundle lists?

The audited DaemonSet's ledger (read by the same `ledger_of_pod` that wrote privileges.json) is compared
with the ledger in the file, key by key, so fields added to the ledger later are compared too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from tui.core.errors import InputFileError

# Not properties of the DaemonSet: what the admission controller mounts into *application* pods.
_NOT_IN_THE_POD = {"applications", "applicationsReason"}


class Expectation(NamedTuple):
    file: str
    section: str  # "helm" or "operator": which ledger of the file was compared
    daemonset: str
    differences: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "ledger": self.section,
            "daemonset": self.daemonset,
            "agrees": not self.differences,
            "differences": self.differences,
        }


def read_expected(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"--expect {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputFileError(f"--expect {path}: not a readable JSON file ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("hostPaths"), list):
        raise InputFileError(f"--expect {path}: not a privileges.json written by ddsecure")
    return document


def section_for(document: Mapping[str, Any], daemonset: str) -> tuple[str, Mapping[str, Any]]:
    """The ledger describing `daemonset`: a bundle for both targets holds the Helm and the Operator ledger."""
    operator = document.get("operator")
    if isinstance(operator, Mapping) and operator.get("daemonset") == daemonset:
        return "operator", operator
    return ("operator" if document.get("target") == "operator" else "helm"), document


def compare(expected: Mapping[str, Any], found: Mapping[str, Any]) -> list[str]:
    """One line per difference, "+" for what the DaemonSet grants beyond the file, "−" for what it lacks."""
    out: list[str] = []
    for key, value in found.items():
        if key not in expected:
            continue  # written by an older ddsecure
        wanted = expected[key]
        if key == "hostPaths":
            out += _sets("hostPath", _paths(wanted), _paths(value))
        elif key == "capabilities":
            out += _sets("capability", _capabilities(wanted), _capabilities(value))
        elif key == "cluster" and isinstance(wanted, Mapping) and isinstance(value, Mapping):
            out += _sets("RBAC grant", set(wanted.get("grants") or []), set(value.get("grants") or []))
            if wanted.get("workloads") != value.get("workloads"):
                out.append(
                    f"Cluster Agent pod: {json.dumps(wanted.get('workloads'))} expected, "
                    f"{json.dumps(value.get('workloads'))} found"
                )
        elif key == "hostPorts":
            out += _sets("hostPort", {str(p) for p in wanted or []}, {str(p) for p in value or []})
        elif key == "pss" and isinstance(wanted, Mapping) and isinstance(value, Mapping):
            out += [
                f"Pod Security {name}: {json.dumps(wanted.get(name))} expected, {json.dumps(value.get(name))} found"
                for name in value
                if name not in _NOT_IN_THE_POD and name in wanted and wanted[name] != value[name]
            ]
        elif wanted != value:
            out.append(f"{key}: {json.dumps(wanted)} expected, {json.dumps(value)} found")
    return out


def expectation(path: Path, daemonset: str, found: Mapping[str, Any]) -> Expectation:
    section, expected = section_for(read_expected(path), daemonset)
    named = expected.get("daemonset")
    differences = compare(expected, found)
    if named and named != daemonset:
        differences.insert(0, f"DaemonSet {daemonset} audited, but {path} describes {named}")
    return Expectation(str(path), section, daemonset, differences)


def _sets(kind: str, wanted: set[str], found: set[str]) -> list[str]:
    return [f"+ {kind} {item} (not in privileges.json)" for item in sorted(found - wanted)] + [
        f"− {kind} {item} (in privileges.json, not granted)" for item in sorted(wanted - found)
    ]


def _paths(grants: Any) -> set[str]:
    return {
        f"{g.get('path')} {'ro' if g.get('readOnly') else 'rw'} ({', '.join(g.get('containers') or []) or 'unmounted'})"
        for g in grants or []
        if isinstance(g, Mapping)
    }


def _capabilities(by_container: Any) -> set[str]:
    if not isinstance(by_container, Mapping):
        return set()
    return {f"{cap} ({container})" for container, caps in by_container.items() for cap in caps or []}

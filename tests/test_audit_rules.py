"""The values audit's rule table: each rule fires on one file and not on a neighbour, and every fix shrinks.

One row per rule id in `RULES`: values that trigger it, and the closest values that do not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tui.core.audit.findings import PRIVILEGE_SEVERITY
from tui.core.audit.fix import with_changes
from tui.core.audit.values_audit import audit_values
from tui.core.audit.values_rules import RULES
from tui.core.chart.model import render_pod
from tui.core.pod.ledger import ledger_of_pod

SECRET = {"apiKeyExistingSecret": "datadog-secret"}
CSPM = {"securityAgent": {"compliance": {"enabled": True}}}
CWS = {"securityAgent": {"runtime": {"enabled": True}}}
CUSTOM_VOLUME = {
    "volumes": [{"name": "journal", "hostPath": {"path": "/var/log/journal"}}],
    "volumeMounts": [{"name": "journal", "mountPath": "/var/log/journal"}],
}


def dd(**datadog: Any) -> dict:
    return {"datadog": {**SECRET, **datadog}}


def agents(datadog: dict | None = None, **block: Any) -> dict:
    return {"datadog": {**SECRET, **(datadog or {})}, "agents": block}


CASES: list[tuple[str, dict, dict]] = [
    ("privileged-container", agents(containers={"agent": {"securityContext": {"privileged": True}}}), dd()),
    ("host-network", agents(useHostNetwork=True), dd()),
    ("hostpid-unneeded", dd(), dd(useHostPID=False)),
    ("hostpid-needed", dd(useHostPID=False, **CSPM), dd(useHostPID=False)),
    (
        "hostpid-not-removed",
        dd(dogstatsd={"useHostPID": False}),
        dd(dogstatsd={"useHostPID": False}, **CSPM),  # CSPM keeps hostPID: no fix is offered
    ),
    (
        "origin-detection-without-hostpid",
        dd(useHostPID=False, dogstatsd={"originDetection": True}),
        dd(dogstatsd={"originDetection": True}),
    ),
    ("system-probe-unrequested", dd(), dd(discovery={"enabled": False})),
    ("ebpf-feature", dd(networkMonitoring={"enabled": True}), dd()),
    ("capabilities-added", dd(), dd(discovery={"enabled": False})),
    ("host-root", dd(**CWS), dd()),
    ("custom-host-path", agents(**CUSTOM_VOLUME), dd()),
    ("host-path-rw", dd(dogstatsd={"originDetection": True}), dd(dogstatsd={"useSocketVolume": False})),
    ("hostport-unneeded", dd(otlp={"receiver": {"protocols": {"grpc": {"enabled": True}}}}), dd()),
    ("host-port", dd(dogstatsd={"useHostPort": True}), dd()),
    ("apm-unrequested", dd(), dd(apm={"socketEnabled": False})),
    ("apm-both-transports", dd(apm={"portEnabled": True}), dd(apm={"portEnabled": True, "socketEnabled": False})),
    ("apm-socket-stranded", dd(dogstatsd={"useSocketVolume": False}), dd()),
    ("runtime-dir-too-wide", dd(), dd(criSocketPath="/var/run/containerd/containerd.sock")),
    ("dsd-socket-unneeded", dd(), dd(dogstatsd={"useSocketVolume": False})),
    ("passwd-unneeded", dd(), dd(disablePasswdMount=True)),
    (
        "docker-logs-dir",
        dd(logs={"enabled": True}),
        dd(logs={"enabled": True}, criSocketPath="/var/run/containerd/containerd.sock"),
    ),
    ("hostpath-unneeded", dd(systemProbe={"osReleasePath": "/etc/x"}, discovery={"enabled": False}), dd()),
    ("operator-bundled", dd(), dd(operator={"enabled": False})),
    ("runs-as-root", dd(), dd(securityContext={"runAsUser": 100})),
    ("agent-too-old", agents(image={"tag": "7.30.0"}), agents(image={"tag": "7.30.0", "doNotCheckTag": True})),
    (
        "chart-refuses",
        agents({"otelCollector": {"enabled": True}}, image={"tag": "7.60.0"}),
        agents({"otelCollector": {"enabled": True}}, image={"tag": "7.81.1"}),
    ),
]


def ids(values: dict) -> set[str]:
    return {f.id for f in audit_values(values, "values.yaml").findings}


def test_every_rule_has_a_row():
    assert {rule.id for rule in RULES} == {case[0] for case in CASES}


@pytest.mark.parametrize(("rule_id", "present", "absent"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_its_file_and_not_on_its_neighbour(rule_id, present, absent):
    assert rule_id in ids(present)
    assert rule_id not in ids(absent)


def test_privileged_is_the_highest_severity_and_hostpid_from_a_default_is_not_higher():
    assert PRIVILEGE_SEVERITY["privileged"] == "high"
    findings = audit_values(agents(containers={"systemProbe": {"securityContext": {"privileged": True}}}), "v").findings
    by_id = {f.id: f for f in findings}
    assert by_id["privileged-container"].severity == "high"
    assert by_id["hostpid-unneeded"].severity == "high"


def test_capabilities_are_named_one_by_one():
    finding = next(f for f in audit_values(dd(), "v").findings if f.id == "capabilities-added")
    for cap in ("SYS_ADMIN", "NET_ADMIN", "DAC_READ_SEARCH"):
        assert cap in finding.message


def test_hostpid_fix_is_not_offered_when_a_feature_still_forces_it():
    for forcing in (CSPM, {"hostProfiler": {"enabled": True}}, {"sbom": {"enrichment": {"usage": {"enabled": True}}}}):
        report = audit_values(dd(**forcing), "v")
        assert not [f for f in report.findings if ("datadog.useHostPID", False) in f.changes]
        assert any(f.id == "hostpid-needed" for f in report.findings)


def test_host_ports_name_their_owner():
    report = audit_values(dd(otlp={"receiver": {"protocols": {"grpc": {"enabled": True}}}}), "v")
    finding = next(f for f in report.findings if f.id == "hostport-unneeded")
    assert "4317/TCP (agent, otlpgrpcport)" in finding.message
    assert finding.changes == (("datadog.otlp.receiver.protocols.grpc.useHostPort", False),)
    assert finding.cost


# --- every fix only takes privileges away, and no two fixes disagree --------------------------------


def _grants(values: dict) -> set[tuple[str, str]]:
    ledger = ledger_of_pod(render_pod(values))
    out = {("hostPID", "")} if ledger.host_pid else set()
    out |= {("hostNetwork", "")} if ledger.host_network else set()
    out |= {("port", str(p)) for p in ledger.host_ports}
    out |= {(f"path-{g.mode}", g.path) for g in ledger.host_paths}
    out |= {(f"cap-{c}", cap) for c, caps in ledger.capabilities.items() for cap in caps}
    out |= {("container", c) for c in ledger.containers}
    return out


def _covered(kind: str, path: str, before: set) -> bool:
    """A host path inside one already granted (read-write, or read-only for a read-only grant)."""
    modes = ("path-rw",) if kind == "path-rw" else ("path-rw", "path-ro")
    return any(
        old_kind in modes and (path == old or path.startswith(old.rstrip("/") + "/")) for old_kind, old in before
    )


def _shrinks(before: set, after: set) -> set:
    """Grants gained; a narrower host path than one already granted is not a gain."""
    gained = after - before
    return {(kind, what) for kind, what in gained if not (kind.startswith("path-") and _covered(kind, what, before))}


CORPUS = sorted((Path(__file__).parent / "audit_corpus").glob("*.yaml"))


@pytest.mark.parametrize(
    "values",
    [c[1] for c in CASES] + [YAML(typ="safe", pure=True).load(p.read_text()) for p in CORPUS],
    ids=[c[0] for c in CASES] + [p.stem for p in CORPUS],
)
def test_each_fix_only_shrinks_privileges_and_fixes_agree(values):
    report = audit_values(values, "v")
    before = _grants(values)
    wanted: dict[str, Any] = {}
    for finding in report.findings:
        for key, value in finding.changes:
            assert wanted.get(key, value) is value or wanted.get(key, value) == value, (finding.id, key)
            wanted[key] = value
        if finding.changes and finding.id not in ("wrong-type", "unknown-key", "wrong-level", "deprecated-key"):
            assert not _shrinks(before, _grants(with_changes(values, finding.changes))), finding.id

"""Rules that must hold for every combination of answers (hypothesis over the whole answer space)."""

from __future__ import annotations

import json
import posixpath

from hypothesis import given, settings

from tui.core.chart.model import render_pod
from tui.core.deployment import Deployment
from tui.core.output.bundle import build_bundle
from tui.core.platforms.catalog import PLATFORMS
from tui.core.pod.ledger import ledger_of_pod
from tui.core.pod.spec import all_containers, host_path_mounts, host_path_volumes, unmounted_host_path_volumes

from bundle_helpers import load_yaml, pod_from_files
from strategies import answers_strategy

SYSTEM_PROBE_ONLY = {"system-probe", "security-agent"}


@settings(max_examples=150, deadline=None)
@given(answers=answers_strategy())
def test_bundle_is_deterministic_and_ledger_matches_the_files(answers):
    files = build_bundle(answers)
    assert build_bundle(answers) == files
    # Read back as a user's tools would: the values through the chart model, the patch as written.
    pod = pod_from_files(files, answers.api_server)
    written = json.loads(files["privileges.json"])
    recomputed = ledger_of_pod(pod, app_socket_dirs=Deployment(answers).app_socket_dirs).as_json()
    assert {k: written[k] for k in recomputed} == recomputed
    assert load_yaml(files["values.yaml"]) == Deployment(answers).values


@settings(max_examples=200, deadline=None)
@given(answers=answers_strategy())
def test_the_pod_carries_exactly_what_the_answers_need(answers):
    deployment = Deployment(answers)
    pod = deployment.pod
    ledger = deployment.ledger
    containers = {c["name"]: c for c in all_containers(pod)}

    assert pod.get("hostPID", False) == answers.host_pid
    assert not pod.get("hostNetwork")
    expected_ports = {8125} if answers.dogstatsd == "udp-hostport" else set()
    expected_ports |= {8126} if answers.apm == "tcp-hostport" else set()
    assert set(ledger.host_ports) == expected_ports

    # No declared hostPath that nothing mounts; never the whole /var/run.
    assert unmounted_host_path_volumes(pod) == []
    paths = {str(v["path"]) for v in host_path_volumes(pod).values()}
    assert "/var/run" not in paths
    # The runtime's socket on this platform: Docker's socket file alone, else the socket's directory.
    socket = answers.socket_path
    assert (socket if answers.runtime == "docker" else posixpath.dirname(socket)) in paths
    if not PLATFORMS[answers.platform].custom_security_contexts:
        return  # GKE Autopilot admits only the chart's own pod, unpatched: its rules are in test_platforms.py

    for grant in ledger.host_paths:
        writable_reasons = {
            "/var/run/datadog": answers.dogstatsd == "uds" or answers.apm == "uds",
            "/var/run/datadog-apm": answers.apm == "uds",
            "/var/lib/datadog-agent/logs": answers.logs != "off",
        }
        if not grant.read_only:
            assert writable_reasons.get(grant.path) or grant.containers == ("system-probe",), grant
    assert ("/var/log/pods" in paths) == (answers.logs != "off")
    assert ("/etc/passwd" in paths) == (
        not answers.non_root
        and (answers.process_collection or "cws" in answers.system_probe)
        and answers.platform != "talos"  # Talos nodes have no /etc/passwd
    )

    # Containers: nothing that no chosen feature needs.
    assert "seccomp-setup" not in containers
    assert ("system-probe" in containers) == bool(answers.system_probe)
    assert ("trace-agent" in containers) == (answers.apm != "off")
    if "process-agent" in containers:
        assert (
            {"npm", "usm"} & set(answers.system_probe)
            or (answers.process_collection and not answers.version.process_checks_in_core_agent)
            or (answers.orchestrator_explorer and answers.version.orchestrator_needs_process_agent)
        )

    # Every container: no escalation, RuntimeDefault seccomp, no added capabilities without system-probe.
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for name, container in containers.items():
        context = container.get("securityContext") or {}
        assert context.get("allowPrivilegeEscalation") is False, name
        assert context.get("seccompProfile", {"type": "RuntimeDefault"}) == {"type": "RuntimeDefault"}, name
        added = (context.get("capabilities") or {}).get("add")
        assert not added or name in SYSTEM_PROBE_ONLY, name
        if answers.non_root and name not in SYSTEM_PROBE_ONLY:
            assert context.get("runAsUser", pod["securityContext"]["runAsUser"]) == answers.uid, name
            assert context.get("capabilities", {}).get("drop") == ["ALL"], name
    if answers.non_root:
        assert pod["securityContext"]["runAsNonRoot"] is True


@settings(max_examples=100, deadline=None)
@given(answers=answers_strategy())
def test_the_patch_only_removes_or_narrows(answers):
    """daemonset-overrides.yaml never grants: every hostPath mount after it was there, at least as wide, before."""
    deployment = Deployment(answers)
    before = {(c, v, p): ro for c, v, p, ro in host_path_mounts(deployment.rendered_pod)}
    for container, volume, path, read_only in host_path_mounts(deployment.pod):
        if (container, volume, path) in before:
            assert read_only or not before[(container, volume, path)]
        else:  # only the docker socket-file mount replaces the /var/run directory mount
            assert (volume, path) == ("runtimesocketdir", "/host/var/run/docker.sock")


def test_chart_default_render_is_what_the_reference_lists():
    """Reference §1: the chart's defaults grant hostPID, root, all of /var/run and system-probe."""
    pod = render_pod({"datadog": {"apiKey": "x"}})
    ledger = ledger_of_pod(pod)
    assert ledger.host_pid and ledger.run_as_user == 0
    assert len(host_path_volumes(pod)) == 24
    assert {"/var/run", "/sys/kernel/debug", "/var/lib/kubelet/seccomp"} <= {g.path for g in ledger.host_paths}
    assert set(ledger.capabilities) == {"system-probe"} and len(ledger.capabilities["system-probe"]) == 9
    assert set(unmounted_host_path_volumes(pod)) == {"etc-system-release", "apmsocket"}

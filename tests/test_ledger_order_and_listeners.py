"""The ledger leads with the worst privilege, per container, and lists the Agent's network listeners."""

from __future__ import annotations

import json

import pytest

from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS_BY_ID
from tui.core.deployment import Deployment
from tui.core.output.bundle import build_bundle
from tui.core.output.explain import explain
from tui.core.output.what_if import option_checks


def listeners(answers: Answers) -> set[tuple[str, int, str, str]]:
    return {(lsn.container, lsn.port, lsn.protocol, lsn.reach) for lsn in Deployment.of(answers).ledger.listeners}


# --- listeners ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # APM over the socket: trace-agent still accepts TCP 8126 from any pod
        ({"apm": "uds", "dogstatsd": "uds"}, {("trace-agent", 8126, "TCP", "pod network")}),
        ({"apm": "tcp-local-service", "dogstatsd": "uds"}, {("trace-agent", 8126, "TCP", "pod network")}),
        ({"apm": "tcp-hostport", "dogstatsd": "uds"}, {("trace-agent", 8126, "TCP", "host port")}),
        ({"dogstatsd": "udp"}, {("agent", 8125, "UDP", "pod network")}),
        ({"dogstatsd": "udp-hostport"}, {("agent", 8125, "UDP", "host port")}),
        # absent: the patch closes the UDP port with the socket, and no trace-agent runs without APM
        ({"dogstatsd": "uds", "apm": "off"}, set()),
        ({"dogstatsd": "off", "apm": "off"}, set()),
    ],
)
def test_listeners_are_read_off_the_pod(changes, expected):
    assert listeners(Answers(**changes)) == expected


def test_privileges_json_and_report_show_the_tcp_listener_of_apm_over_a_socket():
    files = build_bundle(Answers(apm="uds", dogstatsd="uds"), target="helm")
    document = json.loads(files["privileges.json"])
    assert document["listeners"] == [
        {"container": "trace-agent", "port": 8126, "protocol": "TCP", "hostPort": None, "reach": "pod network"}
    ]
    assert "listens on 8126/TCP (trace-agent), open to any pod" in files["REPORT.md"]
    closed = json.loads(build_bundle(Answers(dogstatsd="uds"), target="helm")["privileges.json"])
    assert closed["listeners"] == []


def test_the_socket_option_no_longer_claims_no_network_exposure():
    apm = DECISIONS_BY_ID["apm"]
    text = explain(apm).lower()
    assert "no network exposure" not in text
    uds = apm.option("uds")
    assert uds is not None and "8126/TCP" in uds.costs


# --- order and headline ------------------------------------------------------------------------------

ROOT_FEATURES = Answers(system_probe=("npm", "cws"), dogstatsd="uds", apm="uds")


def test_root_containers_and_their_capabilities_come_first():
    lines = Deployment.of(ROOT_FEATURES).ledger.summary_lines()
    assert lines[0].startswith("system-probe: root, the runtime's default capabilities plus SYS_ADMIN")
    assert lines[1] == "security-agent: root, the runtime's default capabilities (none dropped)"
    first_path = next(i for i, line in enumerate(lines) if line.startswith("hostPath"))
    first_non_root = next(i for i, line in enumerate(lines) if "UID 100" in line)
    assert 1 < first_path < first_non_root
    # writable host paths before read-only ones
    modes = [line.split()[2] for line in lines if line.startswith("hostPath")]
    assert modes == sorted(modes, key=lambda mode: mode == "ro")


def test_the_headline_is_not_the_non_root_user_when_a_container_is_root():
    headline = Deployment.of(ROOT_FEATURES).ledger.summary_lines()[0]
    assert "UID 100" not in headline and "root" in headline
    # and absent: without system-probe nothing runs as root, and no line claims it does
    lines = Deployment.of(Answers()).ledger.summary_lines()
    assert not any(": root" in line for line in lines)
    assert "init-volume, init-config, agent: UID 100 (runAsNonRoot), no capabilities" in lines


def test_a_root_container_without_drop_all_keeps_the_runtime_default_set():
    report = build_bundle(ROOT_FEATURES, target="helm")["REPORT.md"]
    assert "no added capabilities" not in report
    assert "- `security-agent`: root; the runtime's default capabilities (none dropped)" in report
    containers = report.split("## Containers, most privileged first")[1].split("##")[0]
    assert containers.index("system-probe") < containers.index("security-agent") < containers.index("agent`")
    kept = report.split("## Privileges kept")[1].split("##")[0].splitlines()
    rows = [row for row in kept if row.startswith("| ") and not row.startswith("| privilege")]
    assert rows[0].startswith("| `system-probe` runs as root")
    assert rows[1].startswith("| `security-agent` runs as root")


def test_run_as_root_lists_every_container_as_root_with_the_default_set():
    grants = Deployment.of(Answers(run_as="root")).ledger.container_grants
    assert {g.name for g in grants} == {"init-volume", "init-config", "agent"}
    assert all(g.root and g.capability_text == "the runtime's default capabilities (none dropped)" for g in grants)


# --- Pod Security checks of an option, derived from the model -----------------------------------


def test_system_probe_features_break_the_checks_the_model_finds():
    npm = DECISIONS_BY_ID["system_probe"].option("npm")
    assert npm is not None and not hasattr(npm, "pss")  # no hand-written list beside the option
    checks = option_checks("system_probe", npm.value)
    # system-probe runs as root: the hand-written list left out the restricted user checks
    assert "restricted: runAsNonRoot != true" in checks and "baseline: non-default capabilities" in checks
    assert "restricted: runAsNonRoot != true" in explain(DECISIONS_BY_ID["system_probe"])


def test_origin_detection_breaks_host_namespaces_only_over_the_socket():
    decision = DECISIONS_BY_ID["origin_detection"]
    on = decision.option(True)
    assert on is not None
    assert option_checks(decision.id, on.value, Answers(dogstatsd="uds")) == ("baseline: host namespaces",)
    assert option_checks(decision.id, on.value, Answers(dogstatsd="udp")) == ()


def test_an_option_without_a_privilege_breaks_nothing():
    for decision_id, value in (("apm", "tcp-local-service"), ("dogstatsd", "udp"), ("logs", "off")):
        option = DECISIONS_BY_ID[decision_id].option(value)
        assert option is not None and option_checks(decision_id, option.value) == ()

"""Every DogStatsD × APM × admission-controller combination: applications are pointed only where a listener is open.

The admission controller has one mode for both transports; wherever it (or the application owner, without
it) points applications, the predicted pod (chart model + DaemonSet patch, checked against real helm
elsewhere) must listen there.
"""

from __future__ import annotations

import itertools

import pytest

from tui.core.answers.app_endpoints import app_endpoints, injection_mode
from tui.core.answers.contract import APM, DOGSTATSD, Answers
from tui.core.chart.values import APM_OWN_SOCKET_DIR, DSD_SOCKET_DIR
from tui.core.deployment import Deployment
from tui.core.pod.spec import host_path_mounts, host_path_volumes

COMBINATIONS = list(itertools.product(DOGSTATSD, APM, (False, True)))


def _container(pod: dict, name: str) -> dict:
    return next(c for c in pod["containers"] if c["name"] == name)


def _ports(container: dict) -> set[tuple[int, str, int | None]]:
    return {(p["containerPort"], p.get("protocol", "TCP"), p.get("hostPort")) for p in container.get("ports") or []}


def _writable_socket_dirs(pod: dict, container: str) -> set[str]:
    volumes = host_path_volumes(pod)
    return {
        volumes[volume]["path"]
        for name, volume, _, read_only in host_path_mounts(pod)
        if name == container and not read_only and volumes[volume]["path"] in (DSD_SOCKET_DIR, APM_OWN_SOCKET_DIR)
    }


def _udp_listening(deployment: Deployment) -> bool:
    agent = _container(deployment.pod, "agent")
    closed = {"name": "DD_DOGSTATSD_PORT", "value": "0"} in (agent.get("env") or [])
    return not closed and any(port == 8125 and proto == "UDP" for port, proto, _ in _ports(agent))


@pytest.mark.parametrize(("dogstatsd", "apm", "admission"), COMBINATIONS)
def test_applications_are_pointed_only_at_open_listeners(dogstatsd, apm, admission):
    answers = Answers(dogstatsd=dogstatsd, apm=apm, admission_controller=admission)
    deployment = Deployment(answers)
    pod, values = deployment.pod, deployment.values
    endpoints = app_endpoints(answers)
    if admission:
        mode = values["clusterAgent"]["admissionController"]["configMode"]
        assert mode == injection_mode(answers)
        assert {e for e in (endpoints.dogstatsd, endpoints.apm) if e} <= {mode}
    else:
        assert "configMode" not in values["clusterAgent"]["admissionController"]

    if endpoints.dogstatsd == "socket":
        assert DSD_SOCKET_DIR in _writable_socket_dirs(pod, "agent")
        assert DSD_SOCKET_DIR in deployment.app_socket_dirs
    elif endpoints.dogstatsd in ("service", "hostip"):
        assert _udp_listening(deployment)
        assert values["datadog"]["dogstatsd"].get("nonLocalTraffic", True) is True
        if endpoints.dogstatsd == "hostip":
            assert (8125, "UDP", 8125) in _ports(_container(pod, "agent"))
    else:
        assert dogstatsd == "off" and not _udp_listening(deployment)

    if endpoints.apm == "socket":
        assert _writable_socket_dirs(pod, "trace-agent") & set(deployment.app_socket_dirs)
    elif endpoints.apm in ("service", "hostip"):
        ports = _ports(_container(pod, "trace-agent"))
        assert any(port == 8126 and proto == "TCP" for port, proto, _ in ports)
        if endpoints.apm == "hostip":
            assert (8126, "TCP", 8126) in ports
    else:
        assert apm == "off" and "trace-agent" not in {c["name"] for c in pod["containers"]}


@pytest.mark.parametrize(("dogstatsd", "apm", "admission"), COMBINATIONS)
def test_udp_is_closed_exactly_when_no_application_is_pointed_at_it(dogstatsd, apm, admission):
    answers = Answers(dogstatsd=dogstatsd, apm=apm, admission_controller=admission)
    assert _udp_listening(Deployment(answers)) == (app_endpoints(answers).dogstatsd in ("service", "hostip"))


def test_the_reported_bug_socket_dogstatsd_with_tcp_apm_keeps_custom_metrics():
    for apm in ("tcp-local-service", "tcp-hostport"):
        answers = Answers(dogstatsd="uds", apm=apm, admission_controller=True)
        assert injection_mode(answers) == "service"
        assert _udp_listening(Deployment(answers))
        assert "UDP" in Deployment(answers).values_plan.comments["datadog.dogstatsd.nonLocalTraffic"]

"""Each trap of the chart (reference §8 and real-world mistakes), and how the generator avoids it."""

from __future__ import annotations

import pytest

from tui.core.answers.contract import Answers
from tui.core.chart.model import render_pod
from tui.core.chart.values import admission_config_mode
from tui.core.deployment import Deployment
from tui.core.pod.spec import host_path_mounts, host_path_volumes, unmounted_host_path_volumes


def mounts(pod, volume):
    return {(c, path, ro) for c, v, path, ro in host_path_mounts(pod) if v == volume}


def test_host_pid_is_on_by_default_and_ddsecure_turns_it_off():
    assert render_pod({}).get("hostPID") is True
    deployment = Deployment(Answers(dogstatsd="uds"))
    assert deployment.values["datadog"]["useHostPID"] is False
    assert "hostPID" not in deployment.pod


def test_the_deprecated_dogstatsd_use_host_pid_cannot_turn_it_off():
    assert render_pod({"datadog": {"dogstatsd": {"useHostPID": False}}}).get("hostPID") is True


def test_origin_detection_alone_does_not_give_host_pid_so_ddsecure_sets_it():
    assert "hostPID" not in render_pod({"datadog": {"useHostPID": False, "dogstatsd": {"originDetection": True}}})
    assert Deployment(Answers(dogstatsd="uds", origin_detection=True)).pod["hostPID"] is True


@pytest.mark.parametrize("version", ["7.78.0", "7.81.1"])
def test_discovery_brings_system_probe_from_7_78_unless_switched_off(version):
    names = [c["name"] for c in render_pod({"agents": {"image": {"tag": version}}})["containers"]]
    assert "system-probe" in names
    deployment = Deployment(Answers(agent_version=version))
    assert deployment.values["datadog"]["discovery"]["enabled"] is False
    assert "system-probe" not in [c["name"] for c in deployment.pod["containers"]]


def test_helm_merges_security_context_so_an_empty_map_keeps_root():
    assert render_pod({"datadog": {"securityContext": {}}})["securityContext"] == {"runAsUser": 0}
    for answers in (Answers(), Answers(run_as="root")):
        assert "runAsUser" in Deployment(answers).values["datadog"]["securityContext"]


def test_apm_socket_with_dogstatsd_on_udp_gets_its_own_host_directory():
    stranded = render_pod({"datadog": {"dogstatsd": {"useSocketVolume": False}}})
    assert "apmsocket" in unmounted_host_path_volumes(stranded)  # the socket sits in an emptyDir
    pod = Deployment(Answers(dogstatsd="udp", apm="uds")).pod
    assert host_path_volumes(pod)["apmsocket"]["path"] == "/var/run/datadog-apm"
    assert mounts(pod, "apmsocket") == {("trace-agent", "/var/run/datadog-apm", False)}


@pytest.mark.parametrize(
    ("dogstatsd", "apm", "mode"),
    [
        ("udp", "off", "service"),
        ("off", "off", "service"),
        ("uds", "off", "socket"),
        ("udp-hostport", "off", "hostip"),
        ("udp", "tcp-hostport", "service"),
        ("udp-hostport", "tcp-hostport", "hostip"),
        ("uds", "uds", "socket"),
        ("udp", "uds", "service"),
        ("uds", "tcp-local-service", "service"),
        ("off", "tcp-local-service", "service"),
    ],
)
def test_admission_controller_mode_is_always_explicit(dogstatsd, apm, mode):
    answers = Answers(dogstatsd=dogstatsd, apm=apm, admission_controller=True)
    assert admission_config_mode(answers)[0] == mode
    assert Deployment(answers).values["clusterAgent"]["admissionController"]["configMode"] == mode


def test_non_root_drops_passwd_and_the_report_says_so():
    answers = Answers(process_collection=True, run_as="nonroot")
    deployment = Deployment(answers)
    assert "passwd" not in host_path_volumes(deployment.pod)
    from tui.core.output.report import render_report

    assert "numeric UIDs" in render_report(deployment)
    assert "passwd" in host_path_volumes(Deployment(answers.replace(run_as="root")).pod)


def test_the_runtime_mount_defaults_to_all_of_var_run():
    assert host_path_volumes(render_pod({}))["runtimesocketdir"]["path"] == "/var/run"
    for runtime, path in (("containerd", "/var/run/containerd"), ("cri-o", "/var/run/crio")):
        assert host_path_volumes(Deployment(Answers(runtime=runtime)).pod)["runtimesocketdir"]["path"] == path
    docker = Deployment(Answers(runtime="docker")).pod
    assert host_path_volumes(docker)["runtimesocketdir"] == {"path": "/var/run/docker.sock", "type": "Socket"}


def test_patching_an_init_container_keeps_init_volume_first():
    patch = Deployment(Answers(runtime="docker")).patch.pod_patch
    assert [c["name"] for c in patch["initContainers"]] == ["init-volume", "init-config"]
    pod = Deployment(Answers(runtime="docker")).pod
    assert [c["name"] for c in pod["initContainers"]] == ["init-volume", "init-config"]


def test_declared_but_unmounted_host_paths_are_removed():
    assert set(unmounted_host_path_volumes(render_pod({}))) == {"etc-system-release", "apmsocket"}
    for answers in (Answers(), Answers(system_probe=("npm",), dogstatsd="uds", apm="uds")):
        assert unmounted_host_path_volumes(Deployment(answers).pod) == []


def test_dogstatsd_has_no_off_switch_so_the_listener_is_stopped_by_env():
    deployment = Deployment(Answers(dogstatsd="off"))
    env = deployment.values["agents"]["containers"]["agent"]["env"]
    assert {"name": "DD_USE_DOGSTATSD", "value": "false"} in env
    agent = next(c for c in deployment.pod["containers"] if c["name"] == "agent")
    assert not agent.get("ports")


def test_uds_only_closes_the_udp_port():
    agent = next(c for c in Deployment(Answers(dogstatsd="uds")).pod["containers"] if c["name"] == "agent")
    assert not agent.get("ports")
    assert {"name": "DD_DOGSTATSD_PORT", "value": "0"} in agent["env"]


def test_the_operator_installed_by_default_is_switched_off():
    assert Deployment(Answers()).values["datadog"]["operator"]["enabled"] is False


def test_old_agents_get_no_orchestrator_process_agent():
    assert "process-agent" in [c["name"] for c in render_pod({"agents": {"image": {"tag": "7.50.3"}}})["containers"]]
    pod = Deployment(Answers(agent_version="7.50.3")).pod
    assert "process-agent" not in [c["name"] for c in pod["containers"]]

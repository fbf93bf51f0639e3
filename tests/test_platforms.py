"""Platforms: the answers they settle and refuse, the values they write, and their least-privilege rules.

Without the chart these run on the chart model; tests/test_real_helm_platforms.py runs the same rules
on real renders.
"""

from __future__ import annotations

import json

import pytest

from tui.cli import main
from tui.core.answers.contract import Answers, layer, parse_set
from tui.core.answers.decisions import DECISIONS, DECISIONS_BY_ID, applicable
from tui.core.chart.daemonset_patch import SOCKET_FILE_ONLY
from tui.core.chart.model import render_pod
from tui.core.chart.platform_rules import PLATFORM_RULES, Rendered, broken_rules
from tui.core.deployment import Deployment
from tui.core.errors import AnswerError
from tui.core.output.bundle import build_bundle
from tui.core.platforms.api_server import Cluster
from tui.core.platforms.catalog import PLATFORMS
from tui.core.pod.spec import host_path_volumes

SAMPLES = (
    {},
    {"dogstatsd": "uds", "origin_detection": True, "apm": "uds", "logs": "all"},
    {"system_probe": ("npm", "oom-kill"), "run_as": "root", "dogstatsd": "udp-hostport", "apm": "tcp-hostport"},
    {"runtime": "docker", "logs": "annotated", "process_collection": True, "run_as": "root"},
    {"runtime_socket": "/run/containerd.sock", "system_probe": ("cws",)},
)


def rendered(answers: Answers) -> Rendered:
    deployment = Deployment(answers)
    return Rendered(answers, deployment.values, deployment.pod, deployment.scc, bool(deployment.patch.steps))


def host_paths(pod) -> set[str]:
    return {str(v.get("path")) for v in host_path_volumes(pod).values()}


# --- the rules hold on the model for every platform and a sample of answers -------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("changes", SAMPLES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "defaults")
def test_every_platform_keeps_its_rules(platform, changes):
    answers = Answers(platform=platform, **changes)
    assert broken_rules(rendered(answers)) == []


def _broken(answers: Answers, **parts) -> list[str]:
    return broken_rules(rendered(answers)._replace(**parts))


def test_each_rule_fails_when_its_promise_is_broken():
    generic = Answers()
    pod = Deployment(generic).pod
    wide = {**pod, "volumes": [*pod["volumes"], {"name": "run", "hostPath": {"path": "/var/run"}}]}
    assert any(b.startswith("runtime-socket-only") for b in _broken(generic, pod=wide))

    talos = Answers(platform="talos", system_probe=("cws",))
    pod = Deployment(talos).pod
    with_passwd = {**pod, "volumes": [*pod["volumes"], {"name": "passwd", "hostPath": {"path": "/etc/passwd"}}]}
    assert any(b.startswith("talos-no-users") for b in _broken(talos, pod=with_passwd))

    aks = Answers(platform="aks")
    values = Deployment(aks).values
    off = {**values, "datadog": {**values["datadog"], "kubelet": {"tlsVerify": False}}}
    assert any(b.startswith("aks-kubelet-ca") for b in _broken(aks, values=off))

    openshift = Answers(platform="openshift")
    scc = dict(Deployment(openshift).scc or {})
    assert any(
        b.startswith("openshift-narrow-scc")
        for b in _broken(openshift, scc={**scc, "allowedCapabilities": ["SYS_ADMIN"]})
    )
    assert any(b.startswith("openshift-narrow-scc") for b in _broken(openshift, scc={**scc, "allowHostPID": True}))
    assert any(b.startswith("openshift-narrow-scc") for b in _broken(openshift, scc={**scc, "allowHostPorts": True}))
    assert any(
        b.startswith("openshift-narrow-scc") for b in _broken(openshift, scc={**scc, "allowPrivilegedContainer": True})
    )
    assert any(
        b.startswith("openshift-spc-t")
        for b in _broken(openshift, pod={**Deployment(openshift).pod, "securityContext": {}})
    )

    autopilot = Answers(platform="gke-autopilot")
    assert any(b.startswith("autopilot-values-only") for b in _broken(autopilot, patched=True))
    with_probe = render_pod({"providers": {"gke": {"autopilot": True}}}, PLATFORMS["gke-autopilot"].cluster)
    assert any(b.startswith("autopilot-discovery-off") for b in _broken(autopilot, pod=with_probe))


def test_every_rule_is_exercised_by_a_platform():
    assert {p for rule in PLATFORM_RULES for p in rule.platforms} <= set(PLATFORMS)


# --- answers: what a platform settles and refuses -----------------------------------------------------


def test_platform_is_the_first_answer_and_runtime_socket_follows_runtime():
    ids = list(Answers()._fields)
    assert ids[0] == "platform"
    assert ids[ids.index("runtime") + 1] == "runtime_socket"
    assert next(d.id for d in DECISIONS) == "platform"


@pytest.mark.parametrize(
    ("platform", "socket"),
    [
        ("generic", "/var/run/containerd/containerd.sock"),
        ("k3s", "/run/k3s/containerd/containerd.sock"),
        ("rke2", "/run/k3s/containerd/containerd.sock"),
        ("microk8s", "/var/snap/microk8s/common/run/containerd.sock"),
        ("bottlerocket", "/run/containerd/containerd.sock"),
        ("talos", "/run/containerd/containerd.sock"),
        ("openshift", "/var/run/crio/crio.sock"),
    ],
)
def test_platform_socket_is_what_the_values_mount(platform, socket):
    deployment = Deployment(Answers(platform=platform))
    key = "dockerSocketPath" if deployment.answers.runtime == "docker" else "criSocketPath"
    assert deployment.values["datadog"][key] == socket
    assert socket.rsplit("/", 1)[0] in host_paths(deployment.pod)


def test_platform_settles_the_runtime_and_the_wizards_skip_it():
    answers = Answers(platform="openshift", runtime="containerd")
    assert answers.runtime == "cri-o"
    asked = [d.id for d in applicable(answers)]
    assert "runtime" not in asked and "runtime_socket" in asked
    assert "runtime_socket" not in [d.id for d in applicable(Answers(platform="gke-autopilot"))]
    assert "runtime" in [d.id for d in applicable(Answers())]


def test_wizards_offer_only_what_the_platform_accepts():
    dogstatsd = DECISIONS_BY_ID["dogstatsd"]
    offered = [o.value for o in dogstatsd.options_for(Answers(platform="gke-autopilot"))]
    assert offered == ["udp", "udp-hostport"]
    assert [o.value for o in dogstatsd.options_for(Answers())] == [o.value for o in dogstatsd.options]


def test_runtime_socket_prefill_is_the_platform_socket_and_equal_means_unset():
    decision = DECISIONS_BY_ID["runtime_socket"]
    assert decision.shown_value(Answers(platform="k3s")) == "/run/k3s/containerd/containerd.sock"
    assert Answers(platform="k3s", runtime_socket="/run/k3s/containerd/containerd.sock").runtime_socket is None
    assert Answers(runtime_socket="/opt/run/containerd.sock").socket_path == "/opt/run/containerd.sock"


def test_a_refused_value_falls_back_where_nobody_asked_for_it():
    """A wizard that switches platform after a preset: the refused answer takes the platform's fallback."""
    answers = Answers(dogstatsd="uds", apm="uds").replace(platform="gke-autopilot")
    assert (answers.dogstatsd, answers.apm) == ("udp", "tcp-local-service")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"platform": "mesos"}, "platform: unknown value 'mesos'; valid: generic, k3s,"),
        ({"runtime_socket": ""}, "runtime_socket: an empty path is not a socket"),
        ({"runtime_socket": "run/k3s/containerd.sock"}, "runtime_socket: 'run/k3s/containerd.sock' is relative"),
        ({"runtime_socket": "/run/../etc/x.sock"}, "is not a plain absolute path"),
        ({"runtime_socket": "/containerd.sock"}, "would mount the host's root"),
        ({"platform": "gke-autopilot", "dogstatsd": "uds"}, "platform=gke-autopilot refuses dogstatsd=uds: Autopilot"),
        ({"platform": "gke-autopilot", "apm": "uds"}, "refuses apm=uds"),
        ({"platform": "gke-autopilot", "runtime_socket": "/run/x/c.sock"}, "refuses runtime_socket"),
        (
            {"platform": "openshift", "runtime": "docker"},
            "platform=openshift refuses runtime=docker: it runs cri-o; valid: cri-o",
        ),
        ({"platform": "bottlerocket", "runtime": "docker"}, "absolute symlink"),
        (
            {"platform": "gke-autopilot", "system_probe": ["usm"], "kubernetes_version": "1.32"},
            "not supported on GKE Autopilot: the chart renders system-probe there only from 1.32.1-gke.1729000",
        ),
    ],
)
def test_bad_platform_answers_are_one_line(given, message):
    with pytest.raises(AnswerError) as error:
        layer([given])
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "item",
    ["platform=mesos", "runtime_socket=", "runtime_socket=relative/containerd.sock"],
)
def test_cli_refuses_bad_platform_input_and_writes_nothing(item, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["generate", "--set", item, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ddsecure: error: ")
    assert not out.exists()


def test_system_probe_on_autopilot_follows_the_version_the_chart_needs():
    """Refused where ddsecure's render would be older than the chart's WorkloadAllowlist variant, accepted after."""
    assert Answers(platform="gke-autopilot", system_probe=("npm",), kubernetes_version="1.33").system_probe == ("npm",)
    assert Answers(platform="gke-autopilot", kubernetes_version="1.32").system_probe == ()
    assert Answers(platform="generic", system_probe=("npm",), kubernetes_version="1.32").system_probe == ("npm",)
    with pytest.raises(AnswerError):
        Answers(platform="gke-autopilot", system_probe=("npm",), kubernetes_version="1.32")


def test_cli_refuses_what_the_platform_refuses(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["generate", "--preset", "dogstatsd-uds-origin", "--set", "platform=gke-autopilot", "-o", str(out)])
    assert code == 2
    assert "refuses dogstatsd=uds" in capsys.readouterr().err
    assert not out.exists()


def test_set_parses_platform_and_socket():
    assert parse_set("platform=k3s") == ("platform", "k3s")
    assert parse_set("runtime_socket=/run/a/b.sock") == ("runtime_socket", "/run/a/b.sock")


# --- values and the patch per platform ----------------------------------------------------------------


def test_custom_socket_in_a_shared_directory_mounts_only_the_file():
    deployment = Deployment(Answers(runtime_socket="/run/containerd.sock"))
    assert "/run" in host_paths(deployment.rendered_pod)
    assert "/run" not in host_paths(deployment.pod)
    assert "/run/containerd.sock" in host_paths(deployment.pod)
    assert [s.title for s in deployment.patch.steps].count(SOCKET_FILE_ONLY) == 1
    own_dir = Deployment(Answers(runtime_socket="/run/custom/containerd.sock"))
    assert [s for s in own_dir.patch.steps if s.title == SOCKET_FILE_ONLY] == []


def test_talos_mounts_no_users_files_and_no_kernel_headers():
    pod = Deployment(Answers(platform="talos", system_probe=("cws", "oom-kill"), run_as="root")).pod
    paths = host_paths(pod)
    assert not paths & {"/etc/passwd", "/etc/group", "/lib/modules", "/usr/src", "/etc/apt"}
    generic = host_paths(Deployment(Answers(system_probe=("cws", "oom-kill"), run_as="root")).pod)
    assert {"/etc/passwd", "/etc/group", "/lib/modules", "/usr/src", "/etc/apt"} <= generic


def test_gke_cos_drops_usr_src_only():
    gke = host_paths(Deployment(Answers(platform="gke", system_probe=("oom-kill",))).pod)
    generic = host_paths(Deployment(Answers(system_probe=("oom-kill",))).pod)
    assert generic - gke == {"/usr/src"}


def test_aks_keeps_tls_verification_with_the_kubelet_ca_file():
    deployment = Deployment(Answers(platform="aks"))
    kubelet = deployment.values["datadog"]["kubelet"]
    assert kubelet["tlsVerify"] is True
    assert kubelet["host"] == {"valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}
    grant = next(g for g in deployment.ledger.host_paths if g.volume == "kubelet-ca")
    assert (grant.path, grant.read_only) == ("/etc/kubernetes/certs/kubeletserver.crt", True)
    assert "kubelet-ca" not in {g.volume for g in Deployment(Answers()).ledger.host_paths}


def test_openshift_scc_is_narrowed_to_the_answers():
    plain = Deployment(Answers(platform="openshift")).scc
    assert plain is not None
    assert plain["allowedCapabilities"] == [] and not plain["allowHostPID"] and not plain["allowHostPorts"]
    assert plain["seccompProfiles"] == ["runtime/default"] and "downwardAPI" not in plain["volumes"]
    ebpf = Deployment(Answers(platform="openshift", system_probe=("cws",), dogstatsd="uds", origin_detection=True))
    assert ebpf.scc["allowHostPID"] is True
    assert "SYS_ADMIN" in ebpf.scc["allowedCapabilities"] and "KILL" in ebpf.scc["allowedCapabilities"]
    assert Deployment(Answers(platform="openshift", apm="tcp-hostport")).scc["allowHostPorts"] is True
    assert Deployment(Answers()).scc is None


def test_autopilot_bundle_is_values_only(tmp_path):
    files = build_bundle(Answers(platform="gke-autopilot", logs="all"), target="helm")
    assert "daemonset-overrides.yaml" not in files and "kustomization.yaml" not in files
    assert "helm install" in files["values.yaml"]
    privileges = json.loads(files["privileges.json"])
    assert privileges["platform"]["postRenderPatch"] is False
    assert "/var/lib/docker/containers" not in {p["path"] for p in privileges["hostPaths"]}
    assert "/var/autopilot/addon/datadog/logs" in {p["path"] for p in privileges["hostPaths"]}


def test_offline_render_commands_carry_the_platform_flags():
    answers = Answers(platform="openshift")
    files = build_bundle(answers, target="helm")
    flags = " ".join(answers.api_server.helm_flags())
    assert "--api-versions quota.openshift.io/v1/ClusterResourceQuota" in flags
    assert "--kube-version v1.33.0" in flags  # the answered version, not the platform's example
    for name in ("values.yaml", "kustomization.yaml", "daemonset-overrides.yaml"):
        assert flags in files[name]
    generic = build_bundle(Answers(kubernetes_version="1.31"), target="helm")["kustomization.yaml"]
    assert "--api-versions" not in generic and "--kube-version v1.31.0" in generic


def test_the_render_is_for_the_answered_kubernetes_version():
    assert Answers(kubernetes_version="1.30").api_server.kube_version == "v1.30.0"
    assert Answers(platform="gke-autopilot").api_server.kube_version == "v1.33.5-gke.1000000"  # same minor
    assert Answers(platform="gke-autopilot", kubernetes_version="1.34").api_server.kube_version == "v1.34.0"


@pytest.mark.parametrize("version", ["1.29", "1.19"])
def test_system_probe_below_1_30_is_refused_with_the_reason(version):
    with pytest.raises(AnswerError, match="AppArmor profile as an annotation"):
        Answers(kubernetes_version=version, system_probe=("npm",))
    assert Answers(kubernetes_version=version).api_server.kube_version == f"v{version}.0"


def test_openshift_namespace_turns_label_sync_off():
    files = build_bundle(Answers(platform="openshift"), target="helm")
    assert 'security.openshift.io/scc.podSecurityLabelSync: "false"' in files["namespace.yaml"]
    assert "podSecurityLabelSync" not in build_bundle(Answers(), target="helm")["namespace.yaml"]


def test_report_and_explain_know_the_platform(capsys):
    report = build_bundle(Answers(platform="talos"), target="helm")["REPORT.md"]
    assert "## Platform" in report and "providers.talos.enabled" in report
    assert "## Platform" not in build_bundle(Answers(), target="helm")["REPORT.md"]
    assert main(["explain", "platform"]) == 0
    text = capsys.readouterr().out
    for platform in PLATFORMS.values():
        assert f"* {platform.name}" in text
    assert "refuses dogstatsd=uds" in text


# --- the chart model's providers.* knowledge -----------------------------------------------------------


OPENSHIFT = PLATFORMS["openshift"].cluster
AUTOPILOT = PLATFORMS["gke-autopilot"].cluster


def test_openshift_spc_t_only_when_the_security_context_is_empty():
    empty = {"datadog": {"securityContext": None}}  # null removes the chart default (a {} would merge)
    assert render_pod(empty, OPENSHIFT)["securityContext"]["seLinuxOptions"]["type"] == "spc_t"
    assert "securityContext" not in render_pod(empty)
    custom = render_pod({"datadog": {"securityContext": {"runAsUser": 100}}}, OPENSHIFT)
    assert "seLinuxOptions" not in custom["securityContext"]


def test_scc_create_takes_the_selinux_options_from_the_scc_values():
    values = {
        "datadog": {"securityContext": None},
        "agents": {"podSecurity": {"securityContextConstraints": {"create": True}}},
    }
    assert render_pod(values)["securityContext"]["seLinuxOptions"]["type"] == "spc_t"


def test_autopilot_variants_depend_on_what_the_api_server_reports():
    values = {"providers": {"gke": {"autopilot": True}}, "datadog": {"logs": {"enabled": True}}}
    with_allowlist = render_pod(values, AUTOPILOT)
    legacy = render_pod(values, Cluster())
    old_gke = render_pod(values, AUTOPILOT._replace(kube_version="v1.31.0-gke.100"))
    assert "datadogrun" in host_path_volumes(with_allowlist)
    assert "pointerdir" in host_path_volumes(legacy) and "pointerdir" in host_path_volumes(old_gke)
    # From 7.78 discovery brings system-probe with the allowlist API, never without it.
    assert "system-probe" in {c["name"] for c in with_allowlist["containers"]}
    assert "system-probe" not in {c["name"] for c in legacy["containers"]}
    for pod in (with_allowlist, legacy):
        assert host_path_volumes(pod)["runtimesocketdir"]["path"] == "/var/run/containerd"
        assert host_path_volumes(pod)["dsdsocket" if "dsdsocket" in host_path_volumes(pod) else "procdir"]
        assert "dsdsocket" not in host_path_volumes(pod)  # an emptyDir on Autopilot


def test_eks_hostname_file_is_one_read_only_file():
    pod = render_pod({"providers": {"eks": {"ec2": {"useHostnameFromFile": True}}}})
    assert host_path_volumes(pod)["cloudinit-instance-id-file"] == {
        "path": "/var/lib/cloud/data/instance-id",
        "type": "File",
    }
    assert "cloudinit-instance-id-file" not in host_path_volumes(render_pod({}))


def test_flatcar_drops_usr_src():
    values = {"datadog": {"systemProbe": {"enableOOMKill": True}}}
    assert "src" in host_path_volumes(render_pod(values))
    assert "src" not in host_path_volumes(render_pod({**values, "providers": {"flatcar": {"enabled": True}}}))


def test_helm_flags_of_a_cluster():
    assert Cluster().helm_flags() == ()
    assert AUTOPILOT.helm_flags()[:2] == ("--kube-version", "v1.33.5-gke.1000000")
    assert AUTOPILOT.kube_at_least("v1.32.1-gke.1729000")
    assert not Cluster("v1.31.2-gke.1").kube_at_least("v1.32.1-gke.1729000")


def test_scc_defaults_are_the_charts(reference_values):
    from tui.core.chart.providers import CHART_PROVIDERS

    pod_security = reference_values["agents"]["podSecurity"]
    defaults = CHART_PROVIDERS.scc_defaults
    assert list(defaults.capabilities) == pod_security["capabilities"]
    assert list(defaults.volumes) == pod_security["volumes"]
    assert list(defaults.seccomp_profiles) == pod_security["seccompProfiles"]
    assert dict(defaults.se_linux_context) == pod_security["seLinuxContext"]


# --- audit: the platform inferred from providers.* ----------------------------------------------------


@pytest.mark.parametrize(
    ("values", "platform"),
    [
        ({"providers": {"talos": {"enabled": True}}}, "talos"),
        ({"providers": {"gke": {"autopilot": True}}}, "gke-autopilot"),
        ({"providers": {"gke": {"cos": True}}}, "gke"),
        ({"providers": {"aks": {"enabled": True}}}, "aks"),
        ({"agents": {"podSecurity": {"securityContextConstraints": {"create": True}}}}, "openshift"),
        ({"datadog": {"criSocketPath": "/run/k3s/containerd/containerd.sock"}}, "k3s"),
        ({}, "generic"),
    ],
)
def test_audit_infers_the_platform(values, platform):
    from tui.core.chart.infer import infer_answers

    answers, _ = infer_answers(values)
    assert answers.platform == platform


def test_autopilots_host_directory_is_the_platforms_whatever_the_chart_names_it():
    """Before GKE v1.32.1-gke.1729000 the chart mounts /var/autopilot/addon/datadog/logs as `pointerdir`, the
    name of the logs' pointer directory elsewhere: it is Autopilot's, mounted with logs off too (found by the
    strategy drawing every platform at every Kubernetes version)."""
    for version in ("1.29", "1.33"):
        ledger = Deployment.of(Answers(platform="gke-autopilot", logs="off", kubernetes_version=version)).ledger
        grant = next(g for g in ledger.host_paths if g.path.startswith("/var/autopilot/"))
        assert "GKE Autopilot" in grant.because, (version, grant)

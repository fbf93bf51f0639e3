"""The decisions a user makes, in the order the wizards ask them, with every trade-off as data.

A `Decision` is one answer id; each `Option` says what it gives, what privilege it costs, what is
lost without it and version caveats. Both wizards, `ddsecure explain` and the report read these
records; the privilege *delta* of an option and the Pod Security checks it breaks are never written
here but computed from the model (see `tui.core.output.what_if`), and the text that shows them all is
`tui.core.output.explain`, above both.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from tui.core.answers.app_endpoints import dogstatsd_udp_open
from tui.core.answers.contract import ANSWER_SPECS, APPARMOR_FIELDS_FROM, FINE_GRAINED_KUBELET_FROM, SITES, Answers
from tui.core.errors import AnswerError
from tui.core.platforms.catalog import PLATFORMS, Platform


class Caveat(str):
    """Explanation text that depends on the answers: when it concerns a deployment, and how it reads for one.

    A `str` holding the general wording (for `ddsecure explain` without answers), so every screen can
    print it as it is; `worded(text, answers)` gives the wording for given answers (UID 101 on 7.45,
    the containerd path with containerd), and `caveat_applies` says whether it concerns them at all.
    """

    applies: Callable[[Answers], bool]
    render: Callable[[Answers], str] | None

    def __new__(
        cls,
        text: str,
        applies: Callable[[Answers], bool] | None = None,
        render: Callable[[Answers], str] | None = None,
    ) -> "Caveat":
        caveat = super().__new__(cls, text)
        caveat.applies = applies or (lambda answers: True)
        caveat.render = render
        return caveat


def caveat_applies(caveat: str, answers: Answers) -> bool:
    return caveat.applies(answers) if isinstance(caveat, Caveat) else True


def worded(text: str, answers: Answers | None) -> str:
    """`text` as it reads for `answers`; its general wording when there are none."""
    if answers is not None and isinstance(text, Caveat) and text.render is not None:
        return text.render(answers)
    return str(text)


def caveats_for(decision: "Decision", option: "Option | None", answers: Answers | None) -> list[str]:
    """The caveats of `option` and its decision, worded for `answers` (all of them without answers)."""
    caveats = [*(option.caveats if option is not None else ()), *decision.caveats]
    return [worded(c, answers) for c in caveats if answers is None or caveat_applies(c, answers)]


def with_option(answers: Answers, decision_id: str, value: Any) -> Answers:
    """The answers as they would be with `value` chosen (unchanged when the combination is refused)."""
    current = getattr(answers, decision_id)
    if isinstance(current, tuple) and not isinstance(value, tuple):
        value = (*current, value)
    try:
        return answers.replace(**{decision_id: value})
    except AnswerError:
        return answers


class Option(NamedTuple):
    value: Any
    label: str
    summary: str  # one line: the trade-off (a Caveat where it depends on other answers)
    gives: str = ""
    costs: str = ""  # the privilege it adds, in words
    loses: str = ""  # what is lost without it
    caveats: tuple[str, ...] = ()


class Decision(NamedTuple):
    id: str
    title: str
    question: str
    help: str
    options: tuple[Option, ...] = ()
    kind: str = "choice"  # choice, bool, multi, text
    applies: Callable[[Answers], bool] = lambda answers: True
    caveats: tuple[str, ...] = ()
    # What a text step shows when the answer is unset (e.g. the socket the platform uses).
    prefill: Callable[[Answers], str] | None = None

    def option(self, value: Any) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def options_for(self, answers: Answers) -> tuple[Option, ...]:
        """The options the answers' platform accepts: what a wizard offers."""
        platform = PLATFORMS[answers.platform]
        return tuple(o for o in self.options if platform.accepts(self.id, o.value))

    def shown_value(self, answers: Answers) -> Any:
        """The current answer as a wizard pre-fills it."""
        value = getattr(answers, self.id)
        return self.prefill(answers) if value is None and self.prefill else value

    def answer_text(self, answers: Answers) -> str:
        """The answer as a summary shows it: a list joined, an unset one as what it amounts to."""
        value = getattr(answers, self.id)
        if isinstance(value, (list, tuple)):
            return ", ".join(value) or "none"
        if value is None:
            filled = self.prefill(answers) if self.prefill else None
            return f"{filled} (default)" if filled else "(none)"
        return format_value(value)

    @property
    def default(self) -> Any:
        return Answers().as_dict()[self.id]


_LOG_FILES_READABLE = Caveat(
    "As non-root, the kubelet's log files must be readable by the Agent user.", lambda answers: answers.non_root
)


def _non_root(answers: Answers) -> bool:
    return answers.non_root


def _docker(answers: Answers) -> bool:
    return answers.runtime == "docker"


_ORIGIN_OVER_UDS = (
    "Over a Unix socket the Agent reads the sender's PID from the socket and needs the host PID namespace "
    "to map it to a container."
)
_ORIGIN_OVER_UDP = "Over UDP the client library reports its own container ID, so no privilege is needed."


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _platform_option(platform: Platform) -> Option:
    """A platform's data as an option: what it settles and sets, what it refuses, its caveats.

    What it costs in privileges is not written here: the wizards compute it from the model.
    """
    settled = [f"runtime {platform.runtime}"] if platform.runtime else []
    socket = platform.sockets.get(platform.runtime or "")
    if socket:
        settled.append(f"socket {socket}")
    settled += [
        f"{k.key}: {format_value(k.value) if not isinstance(k.value, dict) else '(see values.yaml)'}"
        for k in platform.chart_keys
    ]
    refused = tuple(f"refuses {r.answer_id}={format_value(r.value)}: {r.reason}" for r in platform.refuses)
    if not platform.post_render_patch:
        refused += (f"no post-render patch: {platform.patch_note}",)
    return Option(
        platform.name,
        platform.title,
        platform.summary,
        gives="; ".join(settled) or "the chart's usual paths",
        caveats=refused + ((platform.pod_security,) if platform.pod_security else ()) + platform.caveats,
    )


def _runtime_open(answers: Answers) -> bool:
    return PLATFORMS[answers.platform].runtime is None


def _socket_open(answers: Answers) -> bool:
    return not PLATFORMS[answers.platform].socket_fixed


DECISIONS: tuple[Decision, ...] = (
    Decision(
        "platform",
        "Platform",
        "Where does the cluster run?",
        "The platform decides the container runtime and where its socket is, which chart switches apply "
        "(providers.*), what its admission refuses, and what helm must be told to render offline exactly "
        "what the cluster would render. Answers the platform settles are not asked again.",
        options=tuple(_platform_option(p) for p in PLATFORMS.values()),
    ),
    Decision(
        "agent_version",
        "Agent version",
        "Which Agent 7 version will run?",
        "The image tag decides the dd-agent UID, which containers the chart adds and which defaults apply. "
        "It is pinned in values.yaml so that the privileges computed here stay true.",
        kind="text",
        caveats=(
            Caveat(
                "The dd-agent user is UID 101 up to 7.47.x and UID 100 from 7.48.0.",
                render=lambda a: (
                    f"Agent {a.agent_version} runs the dd-agent user as UID {a.version.dd_agent_uid} "
                    "(UID 101 up to 7.47.x, UID 100 from 7.48.0)."
                ),
            ),
            "Before 7.60 process collection runs in a separate process-agent container.",
            "Before 7.51 the Orchestrator Explorer also adds a process-agent.",
            "From 7.78 the chart turns on service discovery, which brings system-probe; ddsecure turns it off.",
            "Chart 3.240.0 refuses tags older than 7.36.",
        ),
    ),
    Decision(
        "runtime",
        "Container runtime",
        "Which container runtime do your nodes use?",
        "The Agent reads container metadata from the runtime's socket. ddsecure mounts only the socket's own "
        "directory, read-only; the chart's default is the whole host /var/run.",
        applies=_runtime_open,
        options=(
            Option(
                "containerd",
                "containerd",
                "mounts /var/run/containerd read-only",
                gives="container names, images and tags from containerd",
                costs="hostPath /var/run/containerd (ro)",
                loses="container metadata and runtime metrics",
            ),
            Option(
                "cri-o",
                "CRI-O",
                "mounts /var/run/crio read-only",
                gives="container metadata from CRI-O",
                costs="hostPath /var/run/crio (ro)",
                loses="container metadata and runtime metrics",
            ),
            Option(
                "docker",
                "Docker (cri-dockerd)",
                "mounts only /var/run/docker.sock, via the DaemonSet patch",
                gives="container metadata from dockerd",
                costs="hostPath /var/run/docker.sock (ro); logs add /var/lib/docker/containers (ro)",
                loses="container metadata and runtime metrics",
                caveats=(
                    "The chart would mount all of /var/run; the patch narrows it to the socket file. If dockerd "
                    "recreates its socket, restart the Agent pod.",
                    "Read access to the Docker socket is effectively root on the node: protect the Agent pod.",
                ),
            ),
        ),
    ),
    Decision(
        "runtime_socket",
        "Runtime socket",
        "Path of the container runtime's socket on the nodes",
        "The Agent mounts this socket's own directory read-only (only the file for Docker, or when the "
        "directory is /run or /var/run). Change it when your nodes keep the socket elsewhere; the platform's "
        "usual path is filled in.",
        kind="text",
        applies=_socket_open,
        prefill=lambda answers: answers.socket_path,
        caveats=(
            "A wrong path mounts a directory that does not exist there: the Agent then sees no containers.",
            "A socket directly in / is refused: the Agent would mount the host's root.",
        ),
    ),
    Decision(
        "dogstatsd",
        "DogStatsD transport",
        "How do applications send custom metrics (DogStatsD)?",
        "DogStatsD receives custom metrics from your applications. A Unix socket is faster and enables "
        "reliable origin detection, but needs a read-write host directory in the Agent and in every "
        "application pod. UDP needs no host access.",
        options=(
            Option(
                "udp",
                "UDP via the node-local Service",
                "no host access; apps send to the node-local Agent Service",
                gives="custom metrics over UDP, reached through a Service with internalTrafficPolicy Local",
                costs="none",
                loses="—",
                caveats=("UDP drops packets silently under load; there is no back-pressure.",),
            ),
            Option(
                "uds",
                "Unix domain socket",
                "faster, error reporting, origin detection; costs a read-write hostPath",
                gives="custom metrics over /var/run/datadog/dsd.socket, with delivery errors reported to clients",
                costs="hostPath /var/run/datadog (rw) in the Agent and in the app pods that send over the socket",
                loses="socket transport; clients use UDP",
                caveats=(
                    "Application pods mounting the socket directory cannot run in baseline or restricted namespaces.",
                    Caveat(
                        "As non-root, the dd-agent user cannot create the socket in a kubelet-created (root 0755) "
                        "directory: pre-create /var/run/datadog writable by the Agent user.",
                        lambda a: a.non_root,
                        render=lambda a: (
                            f"As non-root, UID {a.uid} cannot create the socket in a kubelet-created "
                            f"(root 0755) directory: pre-create /var/run/datadog writable by UID {a.uid}."
                        ),
                    ),
                    Caveat(
                        "ddsecure closes the UDP listener in the DaemonSet patch, so metrics arrive only through "
                        "the socket.",
                        lambda a: not dogstatsd_udp_open(a),
                    ),
                    Caveat(
                        "With APM over TCP the admission controller's one mode points apps at the node-local "
                        "Service, so the UDP listener stays open for them; the socket serves apps you configure "
                        "by hand.",
                        dogstatsd_udp_open,
                    ),
                ),
            ),
            Option(
                "udp-hostport",
                "UDP on the node's port 8125",
                "apps send to <node IP>:8125; opens a host port",
                gives="custom metrics from pods that address the node IP (and from outside the cluster network)",
                costs="hostPort 8125/UDP",
                loses="node-IP addressing; use the Service instead",
            ),
            Option(
                "off",
                "Off",
                "no DogStatsD listener at all",
                gives="nothing to receive custom metrics",
                costs="none",
                loses="all custom metrics from applications",
            ),
        ),
    ),
    Decision(
        "origin_detection",
        "Origin detection",
        "Tag DogStatsD metrics with the container that sent them?",
        Caveat(
            "Origin detection adds container-level tags to custom metrics. "
            + _ORIGIN_OVER_UDS
            + " "
            + _ORIGIN_OVER_UDP,
            render=lambda a: (
                "Origin detection adds container-level tags to custom metrics. "
                + (_ORIGIN_OVER_UDS if a.dogstatsd == "uds" else _ORIGIN_OVER_UDP)
            ),
        ),
        kind="bool",
        applies=lambda a: a.dogstatsd != "off",
        options=(
            Option(
                False,
                "Off",
                "metrics carry only the tags the client sets",
                costs="none",
                loses="container-level tags on custom metrics",
            ),
            Option(
                True,
                "On",
                "container tags on custom metrics; with a Unix socket this costs hostPID",
                gives="container, pod and service tags on each custom metric",
                costs="hostPID (with dogstatsd=uds): the Agent sees every process on the node",
                loses="per-container breakdown of custom metrics",
                caveats=(
                    "hostPID with ptrace-capable code can inspect or attack other processes on the node.",
                    Caveat(
                        "Over UDP it needs client libraries recent enough to send their container ID.",
                        lambda a: a.dogstatsd != "uds",
                    ),
                ),
            ),
        ),
    ),
    Decision(
        "apm",
        "APM transport",
        "How do applications send traces?",
        "The trace-agent container receives traces. In every mode it also listens on 8126/TCP, open to any pod "
        "(the chart's liveness probe for trace-agent connects to that port). A Unix socket adds a read-write host "
        "directory (also mounted into app pods); TCP through the node-local Service adds nothing; a host port "
        "also opens 8126 on every node's IP.",
        options=(
            Option("off", "Off", "no trace-agent container", costs="none", loses="APM traces"),
            Option(
                "uds",
                "Unix domain socket",
                "apps send over a socket; costs a read-write hostPath in the Agent and apps",
                gives="traces over apm.socket",
                costs="hostPath socket directory (rw) in trace-agent and in the app pods that send over the socket; "
                "trace-agent still listens on 8126/TCP for any pod (its liveness probe needs the port)",
                loses="socket transport",
                caveats=(
                    Caveat(
                        "Without the DogStatsD socket, ddsecure gives APM its own /var/run/datadog-apm: in the shared "
                        "directory the socket would sit in an emptyDir no application can reach.",
                        lambda a: a.dogstatsd != "uds",
                    ),
                ),
            ),
            Option(
                "tcp-local-service",
                "TCP via the node-local Service",
                "no host access; apps use the node-local Service",
                gives="traces over TCP to a Service with internalTrafficPolicy Local",
                costs="8126/TCP open to any pod (as in every mode)",
                loses="—",
            ),
            Option(
                "tcp-hostport",
                "TCP on the node's port 8126",
                "apps send to <node IP>:8126; opens a host port",
                gives="traces from anything that can reach the node IP",
                costs="hostPort 8126/TCP",
                loses="node-IP addressing",
            ),
        ),
    ),
    Decision(
        "logs",
        "Log collection",
        "Collect container logs?",
        "The Agent tails the log files the kubelet writes on each node, and keeps its read position in a "
        "host directory so restarts neither lose nor repeat lines.",
        options=(
            Option("off", "Off", "no log hostPaths", costs="none", loses="container logs in Datadog"),
            Option(
                "annotated",
                "Only annotated pods",
                "reads /var/log/pods; collects only pods that opt in",
                gives="logs of pods with ad.datadoghq.com annotations",
                costs="hostPath /var/log/pods and /var/log/containers (ro), /var/lib/datadog-agent/logs (rw)",
                loses="log collection",
                caveats=(_LOG_FILES_READABLE,),
            ),
            Option(
                "all",
                "All containers",
                "same host access; collects every container",
                gives="logs of every container",
                costs="hostPath /var/log/pods and /var/log/containers (ro), /var/lib/datadog-agent/logs (rw)",
                loses="log collection",
                caveats=(_LOG_FILES_READABLE,),
            ),
        ),
        caveats=(Caveat("With runtime=docker the Agent also reads /var/lib/docker/containers (ro).", _docker),),
    ),
    Decision(
        "process_collection",
        "Process collection",
        "Collect live processes and containers?",
        "Live processes need the host's /proc (always mounted) and, as root, /etc/passwd to show user names. "
        "Turning it off also turns off the chart's default Live Containers and process discovery.",
        kind="bool",
        options=(
            Option(
                False,
                "Off",
                "no process data; no /etc/passwd mount",
                costs="none",
                loses="Live Processes, Live Containers and process discovery",
            ),
            Option(
                True,
                "On",
                "live processes and containers; as root mounts /etc/passwd read-only",
                gives="Live Processes, Live Containers, process discovery",
                costs="hostPath /etc/passwd (ro) when running as root",
                loses="process-level visibility",
                caveats=(
                    Caveat(
                        "As non-root the chart drops /etc/passwd (the host's file has no dd-agent entry): processes "
                        "show numeric UIDs instead of user names.",
                        _non_root,
                    ),
                    Caveat(
                        "Before Agent 7.60 this adds a process-agent container.",
                        lambda a: not a.version.process_checks_in_core_agent,
                    ),
                ),
            ),
        ),
    ),
    Decision(
        "run_as",
        "User",
        "Run the Agent as root or as the dd-agent user?",
        "The chart runs everything as root. Non-root runs every container as dd-agent with runAsNonRoot "
        "and all capabilities dropped, which limits what an escape from the Agent could do — but the host "
        "must let that user read the runtime socket and the log files.",
        options=(
            Option(
                "nonroot",
                "Non-root (dd-agent)",
                Caveat(
                    "UID 100 (101 for ≤ 7.47), runAsNonRoot, drop ALL capabilities",
                    render=lambda a: (
                        f"UID {a.version.dd_agent_uid} (dd-agent in Agent {a.agent_version}), "
                        "runAsNonRoot, drop ALL capabilities"
                    ),
                ),
                gives="a compromised Agent is an unprivileged user inside its container",
                costs="none; the host must grant access instead",
                loses="—",
                caveats=(
                    Caveat(
                        "The runtime socket must be readable by the Agent's UID or a group in supplementalGroups.",
                        render=lambda a: (
                            f"The {a.runtime} socket ({a.socket_path}) must be readable "
                            f"by UID {a.uid} or a group in supplementalGroups."
                        ),
                    ),
                    Caveat(
                        "For logs, /var/log/pods must be readable and /var/lib/datadog-agent/logs writable by it.",
                        lambda a: a.logs != "off",
                    ),
                    Caveat(
                        "For a DogStatsD/APM socket, the socket directory must be writable by it.",
                        lambda a: a.dogstatsd_over_uds or a.apm_over_uds,
                    ),
                    Caveat(
                        "system-probe and security-agent still run as root: eBPF needs it.",
                        lambda a: bool(a.system_probe),
                    ),
                    "Some integrations that run host commands or read root-only files stop working.",
                ),
            ),
            Option(
                "root",
                "Root",
                "works on any host without preparation; root inside the container",
                gives="runtime socket and log access regardless of host file permissions",
                costs="runAsUser 0",
                loses="—",
                caveats=("Root in a container with host mounts makes an escape more damaging.",),
            ),
        ),
    ),
    Decision(
        "system_probe",
        "system-probe features",
        "Which eBPF features (system-probe) do you need?",
        "Every feature here adds the system-probe container: root, nine added capabilities (SYS_ADMIN among "
        "them), AppArmor unconfined and debugfs read-write. No choice here keeps the pod free of it.",
        kind="multi",
        options=(
            Option(
                "npm",
                "Cloud Network Monitoring",
                "network flows between services",
                costs="system-probe; process-agent; /sys/fs/bpf (ro)",
            ),
            Option(
                "usm",
                "Universal Service Monitoring",
                "RED metrics for HTTP/gRPC without instrumentation",
                costs="system-probe; process-agent; the host root / (ro); kernel headers",
            ),
            Option(
                "cws",
                "Workload Protection (CWS)",
                "runtime threat detection",
                costs="system-probe + KILL; security-agent; / (ro), /etc/passwd, /etc/group",
            ),
            Option(
                "oom-kill",
                "OOM kill check",
                "which process the kernel killed for memory",
                costs="system-probe; kernel headers and package dirs (ro), compiler dirs (rw)",
            ),
            Option(
                "tcp-queue-length",
                "TCP queue length check",
                "socket queue saturation",
                costs="system-probe; kernel headers and package dirs (ro), compiler dirs (rw)",
            ),
        ),
        caveats=(
            "From Agent 7.78 the chart turns on service discovery, which starts system-probe with nothing "
            "else asked for; ddsecure always sets datadog.discovery.enabled: false.",
            "ddsecure uses RuntimeDefault seccomp for system-probe instead of the chart's Localhost profile, "
            "which needs a root init container writing to /var/lib/kubelet/seccomp.",
        ),
    ),
    Decision(
        "kubernetes_version",
        "Kubernetes version",
        "Which Kubernetes minor version does the cluster run (e.g. 1.33)?",
        "The node Agent reads the kubelet of its own node. Before fine-grained kubelet authorization, that "
        "needs nodes/proxy, which also lets its holder run commands in every container of the node. From "
        "Kubernetes 1.33 the kubelet authorizes narrower rights (nodes/pods, nodes/healthz, nodes/configz, "
        "nodes/logs), and ddsecure asks for those instead.",
        kind="text",
        caveats=(
            f"Fine-grained kubelet authorization (feature KubeletFineGrainedAuthz) is alpha in 1.32 and off unless "
            f"the kubelet's feature gate is set; it is beta and on by default from 1.{FINE_GRAINED_KUBELET_FROM}. "
            "ddsecure uses it from 1.33.",
            f"The bundle's render commands carry --kube-version for this version, so any helm "
            f"renders what the cluster would. Below 1.{APPARMOR_FIELDS_FROM} the chart gives system-probe's AppArmor "
            "profile as an annotation, which ddsecure does not model: eBPF features need 1.30 or later here.",
            Caveat(
                "Before 1.33 the node Agent keeps get on nodes/proxy: whoever holds its token can run commands in "
                "any container of its node through the kubelet.",
                lambda a: not a.fine_grained_kubelet,
            ),
            Caveat(
                "If a 1.33+ cluster turns the KubeletFineGrainedAuthz gate off, the kubelet answers 403 to the Agent: "
                "answer with a version below 1.33 to get nodes/proxy back.",
                lambda a: a.fine_grained_kubelet,
            ),
        ),
    ),
    Decision(
        "admission_controller",
        "Admission controller",
        "Let the Cluster Agent configure application pods as they are created (admission controller)?",
        "A mutating webhook in the Cluster Agent adds to every new application pod the settings that point "
        "its Datadog libraries at the node Agent (DD_AGENT_HOST or the socket volume, DD_ENTITY_ID) and the "
        "unified service tags. It needs write access to its webhook configurations and a Secret for its TLS "
        "certificate, and it sees every pod created in the cluster.",
        kind="bool",
        options=(
            Option(
                False,
                "Off",
                "no webhook; application owners set the Agent's address themselves",
                costs="none",
                loses="automatic configuration and library injection in application pods",
                caveats=(
                    "App owners set DD_AGENT_HOST from the downward API (status.hostIP) for host ports, the "
                    "node-local Service name for the Service, or mount the socket directory and set "
                    "DD_DOGSTATSD_URL / DD_TRACE_AGENT_URL for sockets.",
                ),
            ),
            Option(
                True,
                "On",
                "application pods are configured automatically; the Cluster Agent gets webhook and Secret writes",
                gives="DD_AGENT_HOST or the socket volume, DD_ENTITY_ID and service tags injected into new pods",
                costs="create/update/delete of its admission webhook configurations; create/update of Secrets in "
                "the Agent's namespace; every pod creation passes through the Cluster Agent",
                loses="manual configuration of each application",
                caveats=(
                    "With failurePolicy Ignore (the chart's default) pods are still created when the Cluster Agent is "
                    "down, just without the settings.",
                ),
            ),
        ),
    ),
    Decision(
        "orchestrator_explorer",
        "Orchestrator Explorer",
        "Send Kubernetes resources to Datadog (Orchestrator Explorer)?",
        "The Kubernetes resources view shows every workload, service, node and RBAC object. The Cluster "
        "Agent then reads them cluster-wide, including roles, bindings and service accounts, and lists "
        "whole API groups (datadoghq.com, Karpenter, EKS) with a wildcard.",
        kind="bool",
        options=(
            Option(
                False,
                "Off",
                "no resources view; no cluster-wide read of RBAC objects",
                costs="none",
                loses="the Kubernetes resources view (Kubernetes Explorer) in Datadog",
            ),
            Option(
                True,
                "On",
                "the resources view; wildcard list/watch on five API groups, read of roles and bindings",
                gives="workloads, services, nodes and RBAC objects in the Datadog Kubernetes view",
                costs="list/watch of everything in datadoghq.com, karpenter.*, eks.amazonaws.com; get/list/watch of "
                "roles, bindings and service accounts",
                loses="the resources view",
                caveats=(
                    Caveat(
                        "Before Agent 7.51 it adds a process-agent container to every node.",
                        lambda a: a.version.orchestrator_needs_process_agent,
                    ),
                ),
            ),
        ),
    ),
    Decision(
        "secret_metrics",
        "Secret and ConfigMap metrics",
        "Collect kube-state metrics about Secrets and ConfigMaps?",
        "kube-state-metrics core (in the Cluster Agent) counts Secrets and ConfigMaps and reports their "
        "age and type. To do so it lists and watches every Secret and ConfigMap in the cluster, and a "
        "list returns their contents: credentials included.",
        kind="bool",
        options=(
            Option(
                False,
                "Off",
                "no kubernetes_state.secret.* or configmap.* metrics; no Secret reads",
                costs="none",
                loses="kubernetes_state.secret.* and kubernetes_state.configmap.* metrics",
            ),
            Option(
                True,
                "On",
                "kubernetes_state.secret.* and .configmap.* metrics; the Cluster Agent reads every Secret",
                gives="counts, ages and types of Secrets and ConfigMaps",
                costs="cluster-wide list/watch of secrets and configmaps (their data included)",
                loses="those metrics",
            ),
        ),
    ),
    Decision(
        "kubernetes_events",
        "Kubernetes events",
        "Collect Kubernetes events?",
        "The Cluster Agent sends Kubernetes events (scheduling failures, OOM kills, image pulls) to "
        "Datadog and keeps its read position in a ConfigMap it may update. It reads events either way "
        "for its own checks.",
        kind="bool",
        options=(
            Option(False, "Off", "no Kubernetes events in Datadog", costs="none", loses="Kubernetes events"),
            Option(
                True,
                "On",
                "Kubernetes events in Datadog; get/update of one named ConfigMap",
                gives="Kubernetes events as Datadog events",
                costs="get/update of the event-collection token ConfigMap",
                loses="Kubernetes events",
            ),
        ),
    ),
    Decision(
        "site",
        "Datadog site",
        "Which Datadog site is your account on?",
        "Where the Agent sends data. It changes no privilege.",
        options=tuple(Option(site, site, "Datadog intake") for site in SITES),
    ),
    Decision(
        "cluster_name",
        "Cluster name",
        "Cluster name (optional)",
        "Tags hosts and metrics with the cluster. It changes no privilege.",
        kind="text",
    ),
    Decision(
        "api_key_secret",
        "API key Secret",
        "Name of the existing Secret that holds the API key (key `api-key`)",
        "ddsecure never takes an API key: values.yaml only names the Secret.",
        kind="text",
    ),
    Decision("release_name", "Helm release", "Helm release name", "Names the chart's objects.", kind="text"),
    Decision("namespace", "Namespace", "Namespace for the Agent", "Gets Pod Security labels.", kind="text"),
)

DECISIONS_BY_ID = {d.id: d for d in DECISIONS}
assert set(DECISIONS_BY_ID) == set(ANSWER_SPECS), "every answer id needs a decision"


def applicable(answers: Answers) -> list[Decision]:
    return [d for d in DECISIONS if d.applies(answers)]

"""A Kyverno PolicyException (kyverno.io/v2) for exactly the Pod Security controls the Agent's pods break.

Kyverno's own Pod Security policies (kyverno/policies, pod-security/: one ClusterPolicy per control, and
the `validate.podSecurity` subrule policies) would refuse the Agent's hostPaths like Pod Security
Admission does. The exception names, for each workload whose ledger breaks a control, the policies and
rules of those controls only (with their autogen rules for the DaemonSet or Deployment), and for the
podSecurity rules the same controls by Kyverno's control names. It matches the workload by name and its
pods by the names their controller gives them.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

from tui.core.admission.profiles import Profile
from tui.core.answers.contract import Answers

KYVERNO_FILE = "kyverno-exception.yaml"
API_VERSION = "kyverno.io/v2"


class Control(NamedTuple):
    """A Pod Security control as Kyverno names it, and the kyverno/policies rules that check it."""

    name: str  # controlName in validate.podSecurity and PolicyException.spec.podSecurity
    policies: tuple[tuple[str, tuple[str, ...]], ...]  # (ClusterPolicy, rules)
    level: str  # the Pod Security level whose subrule policy checks it
    needs_images: bool  # Kyverno refuses these controls without `images` (container-level)


# ddsecure's Pod Security check ids (tui.core.pod.pod_security) -> Kyverno's control.
CONTROLS: dict[str, Control] = {
    "appArmorProfile": Control("AppArmor", (("restrict-apparmor-profiles", ("app-armor",)),), "baseline", False),
    "capabilities_baseline": Control(
        "Capabilities", (("disallow-capabilities", ("adding-capabilities",)),), "baseline", True
    ),
    "hostNamespaces": Control(
        "Host Namespaces", (("disallow-host-namespaces", ("host-namespaces",)),), "baseline", False
    ),
    "hostPathVolumes": Control("HostPath Volumes", (("disallow-host-path", ("host-path",)),), "baseline", False),
    "hostPorts": Control(
        "Host Ports",
        (("disallow-host-ports", ("host-ports-none",)), ("disallow-host-ports-range", ("host-port-range",))),
        "baseline",
        True,
    ),
    "privileged": Control(
        "Privileged Containers",
        (("disallow-privileged-containers", ("privileged-containers",)),),
        "baseline",
        True,
    ),
    "procMount": Control("/proc Mount Type", (("disallow-proc-mount", ("check-proc-mount",)),), "baseline", True),
    "seLinuxOptions": Control(
        "SELinux", (("disallow-selinux", ("selinux-type", "selinux-user-role")),), "baseline", False
    ),
    "seccompProfile_baseline": Control("Seccomp", (("restrict-seccomp", ("check-seccomp",)),), "baseline", False),
    "sysctls": Control("Sysctls", (("restrict-sysctls", ("check-sysctls",)),), "baseline", False),
    "windowsHostProcess": Control(
        "HostProcess", (("disallow-host-process", ("host-process-containers",)),), "baseline", False
    ),
    "allowPrivilegeEscalation": Control(
        "Privilege Escalation",
        (("disallow-privilege-escalation", ("privilege-escalation",)),),
        "restricted",
        True,
    ),
    "capabilities_restricted": Control(
        "Capabilities",
        (("disallow-capabilities-strict", ("require-drop-all", "adding-capabilities-strict")),),
        "restricted",
        True,
    ),
    "procMount_restricted": Control(
        "/proc Mount Type", (("disallow-proc-mount", ("check-proc-mount",)),), "restricted", True
    ),
    "restrictedVolumes": Control(
        "Volume Types", (("restrict-volume-types", ("restricted-volumes",)),), "restricted", False
    ),
    "runAsNonRoot": Control(
        "Running as Non-root", (("require-run-as-nonroot", ("run-as-non-root",)),), "restricted", False
    ),
    "runAsUser": Control(
        "Running as Non-root user",
        (("require-run-as-non-root-user", ("run-as-non-root-user",)),),
        "restricted",
        False,
    ),
    "seccompProfile_restricted": Control(
        "Seccomp", (("restrict-seccomp-strict", ("check-seccomp-strict",)),), "restricted", False
    ),
}
# The subrule policies of kyverno/policies (pod-security/subrule): one validate.podSecurity rule each.
SUBRULE_POLICIES = {
    "baseline": ("podsecurity-subrule-baseline", "baseline"),
    "restricted": ("podsecurity-subrule-restricted", "restricted"),
}
# Kyverno applies a Pod rule to pod controllers as autogen-RULE (and to CronJobs as autogen-cronjob-RULE).
AUTOGEN_PREFIX = "autogen-"


def _images(profile: Profile) -> list[str]:
    """The images of the workload's containers, by repository whatever the registry and tag: Datadog's
    node-Agent containers all run the agent image, the Cluster Agent the cluster-agent image."""
    repository = "agent" if profile.node_agent else "cluster-agent"
    return [f"*/{repository}:*", f"*/{repository}@*"]


def broken_controls(profile: Profile) -> list[str]:
    """The Pod Security check ids the workload's ledger breaks, in the checks' order."""
    return [check for check in profile.ledger.agent_violations if check in CONTROLS]


def _exceptions(checks: Sequence[str]) -> list[dict[str, Any]]:
    rules: dict[str, list[str]] = {}
    for check in checks:
        control = CONTROLS[check]
        for policy, names in control.policies:
            for rule in names:
                listed = rules.setdefault(policy, [])
                for name in (rule, AUTOGEN_PREFIX + rule):
                    if name not in listed:
                        listed.append(name)
    levels = {CONTROLS[check].level for check in checks}
    for level in ("baseline", "restricted"):
        # The restricted subrule checks the baseline controls too.
        if level in levels or (level == "restricted" and levels):
            policy, rule = SUBRULE_POLICIES[level]
            rules[policy] = [rule, AUTOGEN_PREFIX + rule]
    return [{"policyName": policy, "ruleNames": names} for policy, names in rules.items()]


def _pod_security(profile: Profile, checks: Sequence[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for check in checks:
        control = CONTROLS[check]
        if any(entry["controlName"] == control.name for entry in out):
            continue
        entry: dict[str, Any] = {"controlName": control.name}
        if control.needs_images:
            entry["images"] = _images(profile)
        out.append(entry)
    return out


def _match(profile: Profile, namespace: str) -> dict[str, Any]:
    if profile.node_agent:
        pods = f"{profile.name}-?????"  # a DaemonSet's pods: NAME- and five random characters
        owners = [{"resources": {"kinds": ["DaemonSet"], "namespaces": [namespace], "names": [profile.name]}}]
    else:
        pods = f"{profile.name}-*-?????"  # NAME-HASH-xxxxx, through the ReplicaSet NAME-HASH
        owners = [
            {"resources": {"kinds": ["Deployment"], "namespaces": [namespace], "names": [profile.name]}},
            {"resources": {"kinds": ["ReplicaSet"], "namespaces": [namespace], "names": [f"{profile.name}-*"]}},
        ]
    return {"any": [*owners, {"resources": {"kinds": ["Pod"], "namespaces": [namespace], "names": [pods]}}]}


def exception_objects(answers: Answers, found: Sequence[Profile]) -> list[dict[str, Any]]:
    """One PolicyException per workload that breaks a control, in the Agent's namespace."""
    out = []
    for profile in found:
        checks = broken_controls(profile)
        if not checks:
            continue
        out.append(
            {
                "apiVersion": API_VERSION,
                "kind": "PolicyException",
                "metadata": {"name": f"ddsecure-{profile.name}", "namespace": answers.namespace},
                "spec": {
                    "exceptions": _exceptions(checks),
                    "match": _match(profile, answers.namespace),
                    "podSecurity": _pod_security(profile, checks),
                },
            }
        )
    return out


def controls_text(profile: Profile) -> str:
    return ", ".join(dict.fromkeys(CONTROLS[check].name for check in broken_controls(profile)))

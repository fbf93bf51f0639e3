"""What to run once the bundle is written: one text, built here, for every surface that shows it.

The command line, both wizards, REPORT.md and the file headers all print `next_steps(answers, target)`,
so the commands cannot drift apart. For the target "both" the bundle holds two ways to install the
same Agent (the Helm chart, or the Datadog Operator); each way runs its own node-Agent DaemonSet, so
the text offers them as alternatives, never as one list to run from top to bottom.
"""

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from tui.core.answers.contract import Answers
from tui.core.chart.defaults import CHART_VERSION
from tui.core.operator.names import OPERATOR_CHART, OPERATOR_FILE
from tui.core.platforms.catalog import PLATFORMS

if TYPE_CHECKING:
    from tui.core.wrappers.base import WrapperForm

# What each target writes, as the wizards offer it (short label, then what it means).
# The keys are the valid `--target` values.
TARGET_LABELS = {
    "helm": "Helm (values + patch)",
    "operator": "Operator (DatadogAgent)",
    "both": "Both",
}
TARGET_SUMMARIES = {
    "helm": "values.yaml for the datadog/datadog chart, hardened by a DaemonSet patch",
    "operator": "datadog-agent.yaml for the Datadog Operator",
    "both": "the files of both; you then install with one of them, never both",
}
TARGET_HELP = (
    "Helm renders the datadog/datadog chart with values.yaml and hardens its DaemonSet with a patch. The Datadog "
    "Operator reads datadog-agent.yaml and writes the DaemonSet itself (its footprint is predicted, and the patch "
    "does not apply). Both writes the files of both, so you can choose later; install with one of them only, "
    "or every node runs two Agents."
)
TARGETS = tuple(TARGET_LABELS)

HELM_REPO = "datadog"
HELM_REPO_URL = "https://helm.datadoghq.com"
CHART = f"{HELM_REPO}/datadog"
RENDERED = "rendered.yaml"  # written by the user's `helm template`, never by ddsecure
LIVE = "live.yaml"  # the running DaemonSet, fetched by the user to be audited
# Bundle file names used in the commands (bundle.py imports these, not the other way round).
VALUES = "values.yaml"
NAMESPACE = "namespace.yaml"
PRIVILEGES = "privileges.json"


def helm_template_command(answers: Answers) -> str:
    """The one `helm template` command line of the bundle (every header and text uses it).

    Offline, helm knows nothing of the cluster: the platform's flags make it render what the
    cluster's own API server would (OpenShift, GKE Autopilot).
    """
    flags = " ".join(answers.api_server.helm_flags())
    return (
        f"helm template {answers.release_name} {CHART} --version {CHART_VERSION} "
        f"-n {answers.namespace} -f {VALUES}{' ' + flags if flags else ''} > {RENDERED}"
    )


def helm_install_command(answers: Answers) -> str:
    return f"helm install {answers.release_name} {CHART} --version {CHART_VERSION} -n {answers.namespace} -f {VALUES}"


# What `audit --expect` compares, cluster-wide: the workloads, the RBAC bound to them, the namespace's labels
# and (from Kubernetes 1.30) the fence; older API servers have no v1 admission policies to list.
CLUSTER_KINDS = "ds,deploy,clusterrole,clusterrolebinding,role,rolebinding,ns"
FENCE_KINDS = "validatingadmissionpolicy,validatingadmissionpolicybinding"


def verify_command(answers: Answers) -> str:
    """Dump what the cluster runs; `audit_command` then compares it with privileges.json."""
    from tui.core.admission.fence import fence_applies

    kinds = f"{CLUSTER_KINDS},{FENCE_KINDS}" if fence_applies(answers) else CLUSTER_KINDS
    return f"kubectl get {kinds} -A -o yaml > {LIVE}"


AUDIT_LIVE = f"ddsecure audit {LIVE} --expect {PRIVILEGES}"


class Way(NamedTuple):
    """One way to install the Agent (Helm chart or Operator), or what to run after it: commands in order."""

    title: str
    commands: tuple[str, ...]
    how: str = ""  # a few words on what this way applies
    note: str = ""  # a paragraph the user must read before running it (what it does not apply, and why)


class InstallStep(NamedTuple):
    """A numbered step: alternative ways (run exactly one), then the commands every way shares."""

    title: str
    commands: tuple[str, ...] = ()
    ways: tuple[Way, ...] = ()
    note: str = ""


def _paragraph(note: str, indent: str, width: int = 100) -> list[str]:
    """The note wrapped at `width` as textwrap would wrap it (break_on_hyphens off). A note of words and
    single spaces, none wider than a line, is wrapped here: importing textwrap cost preset mode 1%."""
    words = note.split()
    if " ".join(words) != note or any(len(indent) + len(word) > width for word in words):
        import textwrap  # imported here for start-up speed: only an unusual note needs it

        return textwrap.wrap(note, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(indent + word)
    return lines


class NextSteps(NamedTuple):
    target: str
    steps: tuple[InstallStep, ...]

    def lines(self, directory: Path | str | None = None) -> list[str]:
        """Plain text, indented for a terminal or a `#` header."""
        out = [f"cd {directory}"] if directory is not None else []
        for number, step in enumerate(self.steps, 1):
            out.append(f"{number}. {step.title}")
            out += _paragraph(step.note, "   ")
            for way in step.ways:
                out.append(f"   {way.title}")
                out += _paragraph(way.note, "      ")
                out += [f"        {command}" for command in way.commands]
            out += [f"     {command}" for command in step.commands]
        return out

    def text(self, directory: Path | str | None = None) -> str:
        return "\n".join(self.lines(directory)) + "\n"

    def markdown(self) -> str:
        """A REPORT.md section: one shell block per way, so that no block installs both."""

        def block(commands: tuple[str, ...], indent: str) -> list[str]:
            return ["", f"{indent}```sh", *(f"{indent}{c}" for c in commands), f"{indent}```"]

        out = ["## Next steps", "", "From the bundle directory:", ""]
        for number, step in enumerate(self.steps, 1):
            out.append(f"{number}. {step.title}")
            if step.note:
                out += ["", f"   {step.note}"]
            for way in step.ways:
                out += ["", f"   - {way.title}"]
                if way.note:
                    out += ["", f"     {way.note}"]
                out += block(way.commands, "     ")
            if step.commands:
                out += block(step.commands, "   ")
            out.append("")
        return "\n".join(out)

    def commands(self) -> list[str]:
        """Every command, in the order shown (each step's ways, then what they share)."""
        return [c for step in self.steps for c in (*(c for way in step.ways for c in way.commands), *step.commands)]


def helm_way(answers: Answers) -> Way:
    platform = PLATFORMS[answers.platform]
    if not platform.post_render_patch:
        return Way(
            "the Helm chart", (helm_install_command(answers),), how=f"values.yaml only, no patch: {platform.patch_note}"
        )
    return Way(
        "the Helm chart",
        (helm_template_command(answers), "kubectl kustomize . | kubectl apply -f -"),
        how="values.yaml, hardened by daemonset-overrides.yaml",
    )


def operator_way(answers: Answers) -> Way:
    return Way(
        "the Datadog Operator",
        (f"helm install datadog-operator {OPERATOR_CHART} -n {answers.namespace}", f"kubectl apply -f {OPERATOR_FILE}"),
        how=f"it writes the DaemonSet from {OPERATOR_FILE}",
    )


# --- a GitOps wrapper: its controller renders the chart ------------------------------------------------


class Wrapper(NamedTuple):
    """The file the user's values came in (edited in the bundle under `file`): its controller installs the chart."""

    form: str  # the name of its form in tui.core.wrappers.FORMS ("flux", "argocd", ...)
    file: str  # the edited wrapper, in the bundle
    origin: str = ""  # where it came from, as the user named it; "" when unknown (standard input)
    patched: bool = False  # ddsecure added the bundle's DaemonSet and RBAC patches to it
    object_name: str = ""  # the wrapper object (for the controller's command)
    object_namespace: str = ""
    copy_to: str = ""  # the same file as a path from the bundle directory (the steps run there); "": `origin`


OVERRIDES_FILE = "daemonset-overrides.yaml"  # bundle.OVERRIDES (kept here: bundle.py imports this module)
KUSTOMIZATION_FILE = "kustomization.yaml"
_BY_HAND = f"helm template ... -f {VALUES} > {RENDERED} and kubectl kustomize . with this bundle's {KUSTOMIZATION_FILE}"


def _wrapper_form(wrapper: Wrapper) -> "WrapperForm":
    # Imported here, not at the top: only a bundle built from a wrapper needs the forms.
    from tui.core.wrappers import FORMS

    return FORMS[wrapper.form]


def _missing(form: "WrapperForm") -> str:
    """What the form says to do without a post-renderer, with this bundle's file names."""
    return form.missing.format(
        values=VALUES,
        overrides=OVERRIDES_FILE,
        kustomization=KUSTOMIZATION_FILE,
        rendered=RENDERED,
        chart_version=CHART_VERSION,
        by_hand=_BY_HAND,
    )


def _wrapper_way(answers: Answers, wrapper: Wrapper) -> Way:
    """Put the edited wrapper back, then let its controller install: one Way, like the Helm chart's."""
    form = _wrapper_form(wrapper)
    platform = PLATFORMS[answers.platform]
    origin = wrapper.origin or f"your {form.label} file"
    commands = [f"cp {wrapper.file} {wrapper.copy_to or wrapper.origin}"] if wrapper.origin else []
    commands.append(form.controller_command(wrapper))
    if not platform.post_render_patch:
        how, note = f"values only, no patch: {platform.patch_note}", ""
    elif wrapper.patched:
        how, note = f"{form.controller} {form.carried}", ""
    else:
        how, note = f"{form.controller}, without the patches", _missing(form)
    title = f"your {form.label}: commit {wrapper.file} in place of {origin}; {how}"
    return Way(title, tuple(commands), how=how, note=note)


def wrapper_header(wrapper: Wrapper | None) -> str:
    """The first lines of the patch files in a wrapped bundle: who applies them (REPORT.md has the steps)."""
    if wrapper is None:
        return ""
    form = _wrapper_form(wrapper)
    carries = f"carries these patches: {form.controller} {form.carried}.\nBy hand instead:\n"
    if wrapper.patched:
        return f"{wrapper.file} ({form.label}) {carries}"
    return f"{wrapper.file} ({form.label}) does NOT apply these patches: see REPORT.md, Next steps.\nBy hand:\n"


def next_steps(answers: Answers, target: str, wrapper: Wrapper | None = None) -> NextSteps:
    """The steps from a written bundle to a running, checked Agent, for `target` (helm, operator, both).

    `wrapper`: the GitOps file the values came in; it replaces the Helm chart way (its controller runs helm)."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    secret = (
        f"kubectl create secret generic {answers.api_key_secret} -n {answers.namespace} "
        '--from-literal api-key="$DD_API_KEY"'
    )
    if wrapper is None or target != "helm":  # the Operator way installs its chart with helm too
        prepare = InstallStep(
            "Create the namespace and the API key Secret, and add the Datadog Helm repository:",
            (f"kubectl apply -f {NAMESPACE}", secret, f"helm repo add {HELM_REPO} {HELM_REPO_URL} && helm repo update"),
        )
    else:  # the wrapper's controller fetches the chart from the repository the wrapper names
        prepare = InstallStep("Create the namespace and the API key Secret:", (f"kubectl apply -f {NAMESPACE}", secret))
    check_title = (
        f"Check that the running Agent, the RBAC bound to it, the namespace's labels and the fence are exactly "
        f"what {PRIVILEGES} lists (if not, exit 1 and one line per difference):"
    )
    chart_way = helm_way(answers) if wrapper is None else _wrapper_way(answers, wrapper)
    if target == "both":
        helm, operator = chart_way, operator_way(answers)
        helm = helm._replace(
            title=f"A. With {helm.title} ({helm.how}):" if wrapper is None else f"A. With {helm.title}:"
        )
        operator = operator._replace(title=f"B. With {operator.title} ({operator.how}):")
        install = InstallStep(
            "Install the Agent ONE way, A or B, not both: each runs its own Agent on every node.",
            ways=(helm, operator),
        )
    else:
        way = chart_way if target == "helm" else operator_way(answers)
        title = f"Install the Agent with {way.title}" + (
            f" ({way.how}):" if wrapper is None or target != "helm" else ":"
        )
        install = InstallStep(title, way.commands, note=way.note)
    check = InstallStep(check_title, (verify_command(answers), AUDIT_LIVE))
    return NextSteps(target, (_with_admission(prepare, answers, target), install, check))


def _with_admission(prepare: InstallStep, answers: Answers, target: str) -> InstallStep:
    """The fence is applied right after the namespace, before anything runs in it, so a pod wider than
    privileges.json is refused from the start; Kyverno's exception only where Kyverno enforces Pod Security."""
    from tui.core.admission.fence import FENCE_FILE, fence_applies
    from tui.core.admission.kyverno import KYVERNO_FILE, exception_objects
    from tui.core.admission.profiles import profiles
    from tui.core.deployment import Deployment

    if fence_applies(answers):
        namespace, *rest = prepare.commands
        title = prepare.title.replace("namespace", "namespace (and its privilege fence)", 1)
        prepare = prepare._replace(title=title, commands=(namespace, f"kubectl apply -f {FENCE_FILE}", *rest))
    if exception_objects(answers, profiles(Deployment.of(answers), target)):
        note = (
            f"If Kyverno enforces Pod Security in this cluster, also run kubectl apply -f {KYVERNO_FILE} before "
            f"installing (Kyverno needs --enablePolicyException and --exceptionNamespace={answers.namespace})."
        )
        prepare = prepare._replace(note=note)
    return prepare

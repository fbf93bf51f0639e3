"""What to run once the bundle is written: one text, built here, for every surface that shows it.

The command line, both wizards, REPORT.md and the file headers all print `next_steps(answers, target)`,
so the commands cannot drift apart. For the target "both" the bundle holds two ways to install the
same Agent (the Helm chart, or the Datadog Operator); each way runs its own node-Agent DaemonSet, so
the text offers them as alternatives, never as one list to run from top to bottom.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from tui.core.answers.contract import Answers
from tui.core.chart.defaults import CHART_VERSION
from tui.core.output.operator_names import OPERATOR_CHART, OPERATOR_FILE, operator_daemonset
from tui.core.platforms.catalog import PLATFORMS

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


def verify_command(answers: Answers, daemonset: str) -> str:
    """Fetch the running node-Agent DaemonSet; `audit_command` then compares it with privileges.json."""
    return f"kubectl get daemonset -n {answers.namespace} {daemonset} -o yaml > {LIVE}"


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


def _paragraph(note: str, indent: str) -> list[str]:
    if not note:
        return []
    import textwrap  # imported here for start-up speed: only a step with a note (a platform, a wrapper) wraps text

    return textwrap.wrap(note, 100, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)


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


def daemonsets(answers: Answers, target: str) -> dict[str, str]:
    """Way ("helm"/"operator") -> the name of the node-Agent DaemonSet it runs."""
    names: dict[str, str] = {}
    if target != "operator":
        # Imported here for start-up speed: the wizard imports this module before any deployment is computed.
        from tui.core.deployment import Deployment

        names["helm"] = Deployment.of(answers).patch.name
    if target != "helm":
        names["operator"] = operator_daemonset(answers)
    return names


# --- a GitOps wrapper: its controller renders the chart ------------------------------------------------


class Wrapper(NamedTuple):
    """The file the user's values came in (edited in the bundle under `file`): its controller installs the chart."""

    form: str  # "flux", "argocd", "kustomize", "k3s", "helmfile" (tui.core.audit.values_input)
    file: str  # the edited wrapper, in the bundle
    origin: str = ""  # where it came from (an absolute path); "" when unknown (standard input)
    patched: bool = False  # ddsecure added the bundle's DaemonSet and RBAC patches to it
    object_name: str = ""  # the wrapper object (for the controller's command)
    object_namespace: str = ""


class WrapperWay(NamedTuple):
    """How one wrapper kind installs the chart, and what it does with the bundle's patches."""

    label: str  # what the file is
    controller: str  # who renders the chart from it
    carried: str  # where the patches sit when ddsecure added them
    missing: str  # when it cannot carry them: why, and exactly what the user must add instead


OVERRIDES_FILE = "daemonset-overrides.yaml"  # bundle.OVERRIDES (kept here: bundle.py imports this module)
KUSTOMIZATION_FILE = "kustomization.yaml"
_BY_HAND = f"helm template ... -f {VALUES} > {RENDERED} and kubectl kustomize . with this bundle's {KUSTOMIZATION_FILE}"

WRAPPER_WAYS = {
    "flux": WrapperWay(
        "Flux HelmRelease",
        "Flux's helm-controller renders the chart from spec.values",
        "and applies the DaemonSet and RBAC patches from spec.postRenderers, where ddsecure added them "
        "(nothing to run by hand)",
        "",
    ),
    "kustomize": WrapperWay(
        "Kustomize kustomization (helmCharts)",
        "kustomize inflates the chart from helmCharts",
        "and applies the DaemonSet and RBAC patches ddsecure added to its patches: list (helm must be "
        "enabled wherever it is built: kubectl kustomize --enable-helm, or Argo CD's kustomize.buildOptions; "
        "kustomize 5.7 runs `helm version -c`, which helm 4 refuses, so it needs helm 3 on its PATH or "
        "--helm-command)",
        "",
    ),
    "argocd": WrapperWay(
        "Argo CD Application",
        "Argo CD renders the chart from spec.source.helm",
        "",
        "Argo CD has no post-renderer for a Helm source (argoproj/argo-cd#3698), so this Application installs "
        f"the chart WITHOUT the bundle's DaemonSet and RBAC patches, and the check below lists what they would "
        f"have removed. To apply them, let Argo CD build a kustomization instead: in your Git repository, put a "
        f"kustomization.yaml with a helmCharts entry for the datadog chart {CHART_VERSION} (valuesFile: {VALUES}) "
        f"and the patches: of this bundle's {KUSTOMIZATION_FILE}, beside {VALUES} and {OVERRIDES_FILE}; point the "
        "Application's source at that directory (path: instead of chart:) and enable helm in its builds "
        "(argocd-cm: kustomize.buildOptions: --enable-helm).",
    ),
    "k3s": WrapperWay(
        "k3s/RKE2 HelmChart",
        "the k3s/RKE2 helm-controller installs the chart from spec.valuesContent",
        "",
        "The k3s/RKE2 helm-controller runs helm install with no post-renderer, so this HelmChart installs the "
        "chart WITHOUT the bundle's DaemonSet and RBAC patches, and the check below lists what they would have "
        f"removed. To apply them, deploy the patched chart instead of a HelmChart: render it ({_BY_HAND}) "
        "and put the output in the server's auto-deploy directory (/var/lib/rancher/k3s/server/manifests/, "
        "RKE2: /var/lib/rancher/rke2/server/manifests/).",
    ),
    "helmfile": WrapperWay(
        "helmfile",
        "helmfile runs helm with the release's inline values",
        "and first applies the DaemonSet and RBAC patches ddsecure added to the release (strategicMergePatches, "
        "jsonPatches; helmfile runs kustomize for them, so kustomize must be on its PATH)",
        "",
    ),
}


def _wrapper_way(answers: Answers, wrapper: Wrapper) -> Way:
    """Put the edited wrapper back, then let its controller install: one Way, like the Helm chart's."""
    way = WRAPPER_WAYS[wrapper.form]
    platform = PLATFORMS[answers.platform]
    origin = wrapper.origin or f"your {way.label} file"
    commands = [f"cp {wrapper.file} {wrapper.origin}"] if wrapper.origin else []
    commands.append(_controller_command(wrapper))
    if not platform.post_render_patch:
        how, note = f"values only, no patch: {platform.patch_note}", ""
    elif wrapper.patched:
        how, note = f"{way.controller} {way.carried}", ""
    else:
        how, note = f"{way.controller}, without the patches", way.missing
    title = f"your {way.label}: commit {wrapper.file} in place of {origin}; {how}"
    return Way(title, tuple(commands), how=how, note=note)


def wrapper_header(wrapper: Wrapper | None) -> str:
    """The first lines of the patch files in a wrapped bundle: who applies them (REPORT.md has the steps)."""
    if wrapper is None:
        return ""
    way = WRAPPER_WAYS[wrapper.form]
    carries = f"carries these patches: {way.controller} {way.carried}.\nBy hand instead:\n"
    if wrapper.patched:
        return f"{wrapper.file} ({way.label}) {carries}"
    return f"{wrapper.file} ({way.label}) does NOT apply these patches: see REPORT.md, Next steps.\nBy hand:\n"


def _controller_command(wrapper: Wrapper) -> str:
    """What makes the controller pick up the committed file now, rather than at its next interval."""
    where = Path(wrapper.origin).parent.as_posix() if wrapper.origin else "."
    name, namespace = wrapper.object_name or "datadog", wrapper.object_namespace
    in_namespace = f" -n {namespace}" if namespace else ""
    return {
        "flux": f"flux reconcile helmrelease {name}{in_namespace} --with-source",
        "argocd": f"argocd app sync {name}",
        "kustomize": f"kubectl kustomize --enable-helm {where} | kubectl apply -f -",
        "k3s": f"kubectl apply -f {wrapper.origin or wrapper.file}",
        "helmfile": f"helmfile -f {wrapper.origin or wrapper.file} apply",
    }[wrapper.form]


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
    names = daemonsets(answers, target)
    check_title = (
        f"Check that the running Agent grants exactly what {PRIVILEGES} lists (if not, exit 1 and the differences):"
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
        check = InstallStep(
            check_title,
            ways=(
                Way("after A (Helm chart):", (verify_command(answers, names["helm"]), AUDIT_LIVE)),
                Way("after B (Operator):", (verify_command(answers, names["operator"]), AUDIT_LIVE)),
            ),
        )
    else:
        way = chart_way if target == "helm" else operator_way(answers)
        title = f"Install the Agent with {way.title}" + (
            f" ({way.how}):" if wrapper is None or target != "helm" else ":"
        )
        install = InstallStep(title, way.commands, note=way.note)
        check = InstallStep(check_title, (verify_command(answers, names[target]), AUDIT_LIVE))
    return NextSteps(target, (prepare, install, check))

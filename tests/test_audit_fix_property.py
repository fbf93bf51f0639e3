"""Property: for any values file, `--fix` never grows the footprint, never loses an unrelated leaf, and
fixing twice is fixing once."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.audit.audit import audit_input, read_input
from tui.core.audit.fix import ALL_SAFE, granted, leaves, named_by, plan_fix

# (dotted key, values it may take): privilege switches, transports, paths, versions ...
SETTINGS: list[tuple[str, list]] = [
    ("datadog.useHostPID", [True, False]),
    ("datadog.dogstatsd.useSocketVolume", [True, False, "false"]),
    ("datadog.dogstatsd.originDetection", [True, False]),
    ("datadog.dogstatsd.useHostPort", [True, False]),
    ("datadog.dogstatsd.useHostPID", [False]),
    ("datadog.apm.socketEnabled", [True, False]),
    ("datadog.apm.portEnabled", [True, False]),
    ("datadog.apm.enabled", [True, False]),
    ("datadog.logs.enabled", [True, False, "true"]),
    ("datadog.logs.containerCollectAll", [True, False]),
    ("datadog.processAgent.processCollection", [True, False]),
    ("datadog.networkMonitoring.enabled", [True, False]),
    ("datadog.discovery.enabled", [True, False]),
    ("datadog.criSocketPath", ["/var/run/containerd/containerd.sock", "/var/run/crio/crio.sock"]),
    ("datadog.dockerSocketPath", ["/var/run/docker.sock"]),
    ("datadog.disablePasswdMount", [True, False]),
    ("datadog.securityContext", [{"runAsUser": 0}, {"runAsUser": 100, "runAsNonRoot": True}]),
    ("agents.image.tag", ["7.81.1", "7.60.0", "7.50.3", "7.30.0"]),
    ("agents.useHostNetwork", [True, False]),
    ("clusterAgent.enabled", [True, False]),
    ("datadog.apiKey", ["0123456789abcdef0123456789abcdef"]),
    ("datadog.apiKeyExistingSecret", ["datadog-secret"]),
    # ... and what the user keeps around them: none of it is the engine's to touch
    ("agents.tolerations", [[{"operator": "Exists"}]]),
    ("agents.priorityClassName", ["system-node-critical"]),
    ("datadog.env", [[{"name": "DD_LOG_LEVEL", "value": "warn"}]]),
    ("datadog.tags", [["team:a", "env:prod"]]),
    ("datadog.confd", [{"redis.yaml": "instances:\n  - host: redis\n"}]),
    ("datadog.notAKey", [1, "x"]),
    ("agents.containers.agent.securityContxt", [{"privileged": True}]),
    ("datadog.apm.portEnabeld", [True]),
    ("agents.containers.agent.resources", [{"limits": {"memory": "256Mi"}}]),
]


def _nest(pairs: list[tuple[str, object]]) -> dict:
    tree: dict = {}
    for dotted, value in pairs:
        parts = dotted.split(".")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node.setdefault(parts[-1], value)
    return tree


@st.composite
def values_files(draw) -> str:
    chosen = draw(st.lists(st.sampled_from(range(len(SETTINGS))), unique=True, min_size=1, max_size=10))
    pairs = [(SETTINGS[i][0], draw(st.sampled_from(SETTINGS[i][1]))) for i in sorted(chosen)]
    from ruamel.yaml import YAML

    out = io.StringIO()
    YAML(typ="rt", pure=True).dump(_nest(pairs), out)
    return "# my values\n" + out.getvalue()


def _fix(text: str, chosen: tuple[str, ...] = ()):
    given_input = read_input(text, "values.yaml")
    report = audit_input(given_input)
    assert given_input.source is not None and given_input.values is not None
    return given_input, plan_fix(
        text, "values.yaml", given_input.source, given_input.values, report, chosen, given_input.documents
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=values_files(), chosen=st.sampled_from([(), (ALL_SAFE,), ("unknown-key", "apm-unrequested")]))
def test_fixing_only_shrinks_keeps_unrelated_leaves_and_is_idempotent(text, chosen):
    original, result = _fix(text, chosen)
    before = dict(original.values or {})
    # never grows the footprint
    assert granted(before, result.values) == []
    # never loses a leaf no applied edit names
    report = audit_input(original)
    applied = {(d.finding.id, d.finding.key) for d in result.applied()}
    keys = [k for f in report.findings if (f.id, f.key) in applied for k, _ in f.changes]
    after = leaves(result.values)
    for leaf, value in leaves(before).items():
        if not named_by(leaf, keys):
            assert after.get(leaf, "<gone>") == value, leaf
    assert result.text.startswith("# my values\n")
    # idempotent: fixing the fixed file changes nothing
    _, again = _fix(result.text, chosen)
    assert again.text == result.text


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=values_files())
def test_inside_a_helmrelease_the_wrapper_stays_and_fixing_is_idempotent(text):
    from tui.core.yamlio.reader import parse_documents

    body = "".join(f"    {line}\n" for line in text.splitlines())
    wrapper = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: datadog  # prod\n"
        "spec:\n  interval: 10m\n  chart:\n    spec:\n      chart: datadog\n  values:\n" + body
    )
    original, result = _fix(wrapper)
    assert granted(dict(original.values or {}), result.values) == []
    before, after = parse_documents(wrapper, "a")[0], parse_documents(result.text, "b")[0]
    assert {k: v for k, v in before["spec"].items() if k != "values"} == {
        k: v for k, v in after["spec"].items() if k != "values"
    }
    assert "name: datadog  # prod" in result.text
    _, again = _fix(result.text)
    assert again.text == result.text

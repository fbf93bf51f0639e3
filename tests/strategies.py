"""Hypothesis strategies over the whole answer space."""

from __future__ import annotations

from hypothesis import strategies as st

from tui.core.answers.contract import APM, DOGSTATSD, LOGS, RUN_AS, RUNTIMES, SITES, SYSTEM_PROBE_FEATURES, Answers

AGENT_VERSIONS = ("7.36.0", "7.47.2", "7.48.0", "7.50.3", "7.51.0", "7.59.1", "7.60.0", "7.77.0", "7.78.0", "7.81.1")

KUBERNETES_VERSIONS = ("1.29", "1.32", "1.33", "1.35")


@st.composite
def answers_strategy(draw) -> Answers:
    version = draw(st.sampled_from(AGENT_VERSIONS)) + draw(st.sampled_from(("", "", "-jmx", "-full")))
    return Answers(
        agent_version=version,
        runtime=draw(st.sampled_from(RUNTIMES)),
        dogstatsd=draw(st.sampled_from(DOGSTATSD)),
        origin_detection=draw(st.booleans()),
        apm=draw(st.sampled_from(APM)),
        logs=draw(st.sampled_from(LOGS)),
        process_collection=draw(st.booleans()),
        run_as=draw(st.sampled_from(RUN_AS)),
        system_probe=(
            features := tuple(draw(st.lists(st.sampled_from(SYSTEM_PROBE_FEATURES), unique=True, max_size=3)))
        ),
        # system-probe features need 1.30+ (the chart's AppArmor fields)
        kubernetes_version=draw(st.sampled_from([v for v in KUBERNETES_VERSIONS if not features or v >= "1.30"])),
        admission_controller=draw(st.booleans()),
        orchestrator_explorer=draw(st.booleans()),
        secret_metrics=draw(st.booleans()),
        kubernetes_events=draw(st.booleans()),
        site=draw(st.sampled_from(SITES)),
        cluster_name=draw(st.sampled_from((None, "prod-eu1", "a.b-c"))),
        release_name=draw(st.sampled_from(("datadog", "dd", "agents"))),
        namespace=draw(st.sampled_from(("datadog", "monitoring"))),
    )


def expected_dangers(answers: Answers) -> set[str]:
    """Independently of the model: which dangerous classes each answer asks for, and nothing else."""
    dangers = set()
    if answers.secret_metrics or answers.admission_controller:  # Secret list / the webhook's TLS Secret
        dangers.add("secrets")
    if answers.admission_controller:
        dangers.add("webhooks")
    if answers.orchestrator_explorer:
        dangers.add("wildcards")
    if not answers.fine_grained_kubelet:
        dangers.add("nodes-proxy")
    if answers.platform == "gke-autopilot":  # values only: no RBAC patch takes the SCC grants away
        dangers.add("scc-use")
    return dangers

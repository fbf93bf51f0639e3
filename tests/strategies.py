"""Hypothesis strategies over the whole answer space."""

from __future__ import annotations

from hypothesis import strategies as st

from tui.core.answers.contract import APM, DOGSTATSD, LOGS, RUN_AS, RUNTIMES, SITES, SYSTEM_PROBE_FEATURES, Answers
from tui.core.platforms.catalog import PLATFORM_NAMES, PLATFORMS

AGENT_VERSIONS = ("7.36.0", "7.47.2", "7.48.0", "7.50.3", "7.51.0", "7.59.1", "7.60.0", "7.77.0", "7.78.0", "7.81.1")

KUBERNETES_VERSIONS = ("1.29", "1.32", "1.33", "1.35")
_SYSTEM_PROBE_FROM = {"gke-autopilot": "1.33"}


@st.composite
def answers_strategy(draw) -> Answers:
    """Every platform, and for it only the answers it accepts: a refused value would be replaced by its
    fallback when the answers are built, so drawing it would only repeat another example."""
    platform = PLATFORMS[draw(st.sampled_from(PLATFORM_NAMES))]

    def accepted(answer_id: str, values: tuple) -> list:
        return [v for v in values if platform.accepts(answer_id, v)]

    version = draw(st.sampled_from(AGENT_VERSIONS)) + draw(st.sampled_from(("", "", "-jmx", "-full")))
    features = accepted("system_probe", tuple((f,) for f in SYSTEM_PROBE_FEATURES))
    return Answers(
        platform=platform.name,
        agent_version=version,
        runtime=draw(st.sampled_from(accepted("runtime", RUNTIMES))),
        dogstatsd=draw(st.sampled_from(accepted("dogstatsd", DOGSTATSD))),
        origin_detection=draw(st.booleans()),
        apm=draw(st.sampled_from(accepted("apm", APM))),
        logs=draw(st.sampled_from(accepted("logs", LOGS))),
        process_collection=draw(st.booleans()),
        run_as=draw(st.sampled_from(accepted("run_as", RUN_AS))),
        system_probe=(
            chosen := tuple(f for (f,) in draw(st.lists(st.sampled_from(features), unique=True, max_size=3)))
        ),
        # system-probe features need 1.30+ (the chart's AppArmor fields) and, on GKE Autopilot, GKE
        # v1.32.1-gke.1729000 (ddsecure renders 1.32 as v1.32.0): both combinations are refused
        kubernetes_version=draw(
            st.sampled_from(
                [v for v in KUBERNETES_VERSIONS if not chosen or v >= _SYSTEM_PROBE_FROM.get(platform.name, "1.30")]
            )
        ),
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

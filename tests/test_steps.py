"""The wizards' steps (tui/core/answers/steps.py): every decision asked once, in order; grouped where they belong."""

from __future__ import annotations

from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS, DECISIONS_BY_ID, applicable
from tui.core.answers.steps import CHECKLIST, CLUSTER_FEATURES, FORM, RELEASE_DETAILS, SINGLE, STEPS, applicable_steps
from tui.core.output.explain import explain, explain_step


def test_every_decision_is_in_exactly_one_step_in_decisions_order():
    asked = [decision_id for step in STEPS for decision_id in step.decision_ids]
    assert asked == [d.id for d in DECISIONS]
    assert len(set(asked)) == len(asked)


def test_the_platform_is_asked_first_and_alone():
    assert STEPS[0].decision_ids == ("platform",) and STEPS[0].kind == SINGLE


def test_the_cluster_features_are_one_checklist_of_booleans():
    assert CLUSTER_FEATURES.kind == CHECKLIST
    assert CLUSTER_FEATURES.decision_ids == (
        "admission_controller",
        "orchestrator_explorer",
        "secret_metrics",
        "kubernetes_events",
    )
    assert {d.kind for d in CLUSTER_FEATURES.decisions} == {"bool"}


def test_the_release_details_are_one_form():
    assert RELEASE_DETAILS.kind == FORM
    assert RELEASE_DETAILS.decision_ids == ("site", "cluster_name", "api_key_secret", "release_name", "namespace")
    summary = RELEASE_DETAILS.summary(Answers())
    assert summary == (
        "site datadoghq.com, release datadog in namespace datadog, API key Secret datadog-secret, no cluster name"
    )
    assert "cluster name eu-1" in RELEASE_DETAILS.summary(Answers(cluster_name="eu-1"))


def test_single_steps_keep_their_decision_id_title_and_question():
    for step in STEPS:
        if step.kind == SINGLE:
            decision = DECISIONS_BY_ID[step.id]
            assert (step.decision_ids, step.title, step.question) == ((decision.id,), decision.title, decision.question)


def test_the_defaults_take_fourteen_steps_for_twenty_one_decisions():
    assert len(applicable(Answers())) == 21
    assert len(applicable_steps(Answers())) == 14


def test_a_step_is_skipped_only_when_earlier_answers_settle_all_of_it():
    # DogStatsD off settles origin detection: its step goes; GKE Autopilot settles the runtime and its socket.
    assert "origin_detection" not in [s.id for s in applicable_steps(Answers(dogstatsd="off"))]
    autopilot = [s.id for s in applicable_steps(Answers(platform="gke-autopilot"))]
    assert "runtime" not in autopilot and "runtime_socket" not in autopilot
    for answers in (Answers(), Answers(dogstatsd="off"), Answers(platform="gke-autopilot")):
        asked = [d.id for step in applicable_steps(answers) for d in step.applicable(answers)]
        assert asked == [d.id for d in applicable(answers)]


def test_a_grouped_step_explains_and_helps_with_each_of_its_decisions():
    explained = explain_step(CLUSTER_FEATURES, Answers())
    for decision in CLUSTER_FEATURES.decisions:
        assert explain(decision, Answers()) in explained
        assert f"{decision.title}: {decision.help}" in CLUSTER_FEATURES.help(Answers())


def test_an_unset_answer_reads_as_what_it_amounts_to():
    socket = DECISIONS_BY_ID["runtime_socket"]
    assert socket.answer_text(Answers(platform="k3s")) == "/run/k3s/containerd/containerd.sock (default)"
    assert socket.answer_text(Answers(runtime_socket="/run/x/c.sock")) == "/run/x/c.sock"
    assert DECISIONS_BY_ID["cluster_name"].answer_text(Answers()) == "(none)"
    assert DECISIONS_BY_ID["system_probe"].answer_text(Answers(system_probe=("npm", "usm"))) == "npm, usm"

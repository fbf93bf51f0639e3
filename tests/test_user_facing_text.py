"""Text users read is computed from their answers and never shows internal codes.

"Every user-facing output" here: every file of the bundle (both targets), the CLI's `generate`,
`explain` and `presets` output, `ask`'s explanations, and the wizard's explanation, ledger, review
and help texts (built by the same functions the screens call), over a sample of answers.
"""

from __future__ import annotations

import io
import re

from hypothesis import HealthCheck, given, settings

from tui.app.explanation_panel import explanation_text
from tui.app.ledger_panel import ledger_text
from tui.app.review_screen import operator_text, privileges_text
from tui.cli import main
from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS, DECISIONS_BY_ID, worded
from tui.core.deployment import Deployment
from tui.core.output.bundle import build_bundle
from tui.core.output.explain import explain
from tui.core.output.what_if import option_checks
from tui.core.pod import pod_security

from strategies import answers_strategy

# Pod Security check ids that are not also Kubernetes field names (runAsNonRoot, privileged, … are fields
# users write, so they may appear), and the chart-reference gap numbers G1–G6.
_FIELD_NAMES = {
    "hostPorts",  # also a key of privileges.json
    "allowPrivilegeEscalation",
    "appArmorProfile",
    "privileged",
    "procMount",
    "runAsNonRoot",
    "runAsUser",
    "seLinuxOptions",
    "sysctls",
}
CHECK_IDS = sorted(check.id for check in pod_security.CHECKS if check.id not in _FIELD_NAMES)
INTERNAL_CODE = re.compile(r"\bG[1-6]\b|\b(" + "|".join(map(re.escape, CHECK_IDS)) + r")\b")


def internal_codes(text: str) -> list[str]:
    return sorted({match.group(0) for match in INTERNAL_CODE.finditer(text)})


def test_the_scanner_finds_both_kinds_of_code():
    assert internal_codes("fails: hostPathVolumes, capabilities_baseline; step G4") == [
        "G4",
        "capabilities_baseline",
        "hostPathVolumes",
    ]
    assert internal_codes("hostPath volumes; runAsNonRoot != true; hostPort 8125; G7; UID 100") == []


def _cli(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    main(list(argv), out, err)
    return out.getvalue() + err.getvalue()


def screens_and_files(answers: Answers) -> dict[str, str]:
    """Every text a user meets for these answers, by where it appears."""
    texts = {f"file {name}": text for name, text in build_bundle(answers, target="both").items()}
    ledger = Deployment.of(answers).ledger
    texts["wizard ledger"] = ledger_text(ledger, ["+ hostPID"], "you choose x").plain
    texts["wizard review"] = privileges_text(answers).plain + operator_text(answers).plain
    for decision in DECISIONS:
        texts[f"ask explain {decision.id}"] = explain(decision, answers)
        texts[f"wizard help {decision.id}"] = worded(decision.help, answers)
        for option in decision.options:
            checks = option_checks(decision.id, option.value, answers)
            panel = explanation_text(decision, option, [], checks=checks, answers=answers).plain
            texts[f"wizard explanation {decision.id}={option.value}"] = panel
    return texts


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers_strategy())
def test_no_internal_code_in_any_user_facing_text(answers):
    found = {where: codes for where, text in screens_and_files(answers).items() if (codes := internal_codes(text))}
    assert found == {}


def test_no_internal_code_in_command_output(tmp_path):
    outputs = {
        "generate": _cli("generate", "--preset", "everything-hardened", "-o", str(tmp_path / "b")),
        "explain": _cli("explain"),
        "presets": _cli("presets"),
        "check": _cli("generate", "--set", "logs=all", "-o", str(tmp_path / "b"), "--check"),
    }
    assert {k: internal_codes(v) for k, v in outputs.items() if internal_codes(v)} == {}


# --- computed from the current answers ---------------------------------------------------------------


def _panel(decision_id: str, value, answers: Answers) -> str:
    decision = DECISIONS_BY_ID[decision_id]
    return explanation_text(decision, decision.option(value), [], answers=answers).plain


def _node_agent_lines(report: str) -> str:
    """The report without the Cluster Agent's lines: its own image keeps UID 100 whatever the node Agent's version."""
    return "\n".join(line for line in report.splitlines() if "cluster-agent" not in line)


def test_the_uid_follows_the_chosen_agent_version():
    old = Answers(agent_version="7.45.0", dogstatsd="uds")
    for text in (
        _panel("run_as", "nonroot", old),
        _panel("dogstatsd", "uds", old),
        explain(DECISIONS_BY_ID["run_as"], old),
        _node_agent_lines(build_bundle(old)["REPORT.md"]),
    ):
        assert "UID 101" in text and "UID 100" not in text
    assert "UID 100" in _panel("run_as", "nonroot", Answers(agent_version="7.48.0"))


def test_runtime_paths_follow_the_chosen_runtime():
    containerd = _panel("logs", "all", Answers(runtime="containerd")) + _panel("run_as", "nonroot", Answers())
    assert "docker" not in containerd.lower()
    assert "/var/run/containerd/containerd.sock" in containerd
    assert "/var/lib/docker/containers" in _panel("logs", "all", Answers(runtime="docker"))


def test_no_udp_advice_after_choosing_the_socket():
    uds = Answers(dogstatsd="uds")
    for text in (_panel("origin_detection", True, uds), explain(DECISIONS_BY_ID["origin_detection"], uds)):
        assert "UDP" not in text and "host PID namespace" in text
    assert "UDP" in _panel("origin_detection", True, Answers(dogstatsd="udp"))


def test_without_answers_explain_keeps_the_general_wording():
    general = explain(DECISIONS_BY_ID["origin_detection"])
    assert "Over UDP" in general and "Over a Unix socket" in general

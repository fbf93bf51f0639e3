"""Issue 18 item 5: the "if you choose" preview lists every change of the ledger, because it is the
difference of two ledgers field by field, and each field has a line."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS
from tui.core.deployment import Deployment
from tui.core.errors import AnswerError
from tui.core.output.what_if import LEDGER_FIELDS, option_delta, privilege_changes
from tui.core.pod.ledger import Ledger

from strategies import answers_strategy

# Every choice a wizard offers, as (decision id, value): list decisions toggle one feature.
CHOICES = [(d.id, o.value) for d in DECISIONS if d.kind != "text" for o in d.options if not isinstance(o.value, tuple)]


def test_every_ledger_field_has_someone_to_show_its_changes():
    assert set(LEDGER_FIELDS) == set(Ledger._fields)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers_strategy(), st.sampled_from(CHOICES))
def test_each_field_that_a_choice_changes_shows_in_the_preview(answers, choice):
    decision_id, value = choice
    current = getattr(answers, decision_id)
    if isinstance(current, tuple):
        value = tuple(v for v in current if v != value) if value in current else (*current, value)
    try:
        changed = answers.replace(**{decision_id: value})
    except AnswerError:
        return
    before, after = Deployment.of(answers).ledger, Deployment.of(changed).ledger
    preview = option_delta(answers, decision_id, value)
    for field in Ledger._fields:
        if getattr(before, field) != getattr(after, field):
            # that field alone, changed: its own lines, and they are in the preview
            alone = privilege_changes(before, before._replace(**{field: getattr(after, field)}))
            assert alone, f"{field} changed but the preview says nothing about it"
            assert set(LEDGER_FIELDS[field](before, before._replace(**{field: getattr(after, field)}))) <= set(alone), (
                field
            )
    assert set(privilege_changes(before, after)) <= set(preview)


def test_apm_over_a_socket_shows_the_tcp_listener_it_opens():
    delta = option_delta(Answers(), "apm", "uds")
    assert "+ container trace-agent" in delta
    assert any(line.startswith("+ listens on 8126/TCP (trace-agent)") for line in delta)


def test_dogstatsd_over_a_socket_shows_the_udp_listener_it_closes():
    delta = option_delta(Answers(), "dogstatsd", "uds")
    assert any(line.startswith("− listens on 8125/UDP (agent)") for line in delta)


def test_host_ports_paths_users_and_cluster_grants_are_listed():
    assert {"+ hostPort 8125"} <= set(option_delta(Answers(), "dogstatsd", "udp-hostport"))
    assert any("host port 8125" in line for line in option_delta(Answers(), "dogstatsd", "udp-hostport"))
    root = option_delta(Answers(), "run_as", "root")
    assert any(line.startswith("± agent: UID ") and "→ root" in line for line in root)
    assert "− runAsNonRoot (the kubelet refuses to start the pod as root)" in root
    assert any(line.endswith("cluster permissions (dangerous: Secrets)") for line in option_delta(
        Answers(), "secret_metrics", True
    ))  # fmt: skip

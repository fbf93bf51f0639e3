"""What an option would change before the user picks it: the privilege delta of one answer, and the
Pod Security checks an option breaks, both computed from the model rather than written beside the option."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from tui.core.answers.contract import Answers
from tui.core.deployment import Deployment
from tui.core.errors import AnswerError
from tui.core.output.cluster_report import cluster_delta
from tui.core.pod.ledger import ContainerGrant, Ledger, ledger_delta


def option_delta(answers: Answers, decision_id: str, value: Any) -> list[str]:
    """ "+ hostPID", "− /var/run/datadog rw", "+ listens on 8126/TCP …", … if `decision_id` were set to `value`."""
    try:
        changed = answers.replace(**{decision_id: value})
    except AnswerError:
        return []
    if changed == answers:
        return []
    before, after = Deployment.of(answers), Deployment.of(changed)
    return privilege_changes(before.ledger, after.ledger) + cluster_delta(before.cluster, after.cluster)


def privilege_changes(before: Ledger, after: Ledger) -> list[str]:
    """Every difference between two ledgers, field by field: `LEDGER_FIELDS` names who shows each field, so
    a field added to the ledger without a line here fails the tests instead of vanishing from the previews."""
    lines = ledger_delta(before, after)
    for show in _EXTRA_LINES:
        lines += [line for line in show(before, after) if line not in lines]
    return lines


def _listeners(before: Ledger, after: Ledger) -> list[str]:
    old, new = set(before.listeners), set(after.listeners)
    added = [f"+ listens on {lsn.text}" for lsn in after.listeners if lsn not in old]
    return added + [f"− listens on {lsn.text}" for lsn in before.listeners if lsn not in new]


def _containers(before: Ledger, after: Ledger) -> list[str]:
    """A container whose user, privileged flag or dropped capabilities change: one line, before → after.
    A container that comes or goes is ledger_delta's "+/− container" line, unless the container list
    does not show it."""
    old = {g.name: g for g in before.container_grants}
    new = {g.name: g for g in after.container_grants}
    lines = []
    for name in dict.fromkeys([*after.container_users, *before.container_users, *new, *old]):
        listed_change = (name in before.containers) != (name in after.containers)
        was, now = old.get(name), new.get(name)
        users = (before.container_users.get(name, "absent"), after.container_users.get(name, "absent"))
        grants = [(g.user, g.privileged, g.drops_all) if g else None for g in (was, now)]
        if listed_change or (users[0] == users[1] and grants[0] == grants[1]):
            continue
        lines.append(f"± {name}: {_container_text(was, users[0])} → {_container_text(now, users[1])}")
    return lines


def _container_text(grant: ContainerGrant | None, user: int | str | None) -> str:
    if grant is not None:
        return f"{grant.user_text}, {grant.capability_text}"
    if isinstance(user, str):  # "absent": not in the ledger at all
        return user
    return ContainerGrant("", user, (), True, False).user_text


def _host_path_mounts(before: Ledger, after: Ledger) -> list[str]:
    """A host path kept with the same mode whose containers (or volume) change: who can reach it changes.
    New, removed or re-moded paths are ledger_delta's "+/−" lines."""
    old = {(g.path, g.mode): g for g in before.host_paths}
    lines = []
    for grant in after.host_paths:
        was = old.get((grant.path, grant.mode))
        if was is None or (was.containers, was.volume) == (grant.containers, grant.volume):
            continue
        who = [", ".join(g.containers) or "no container" for g in (was, grant)]
        lines.append(f"± {grant.path} {grant.mode} mounted by {who[0]} → {who[1]}")
    return lines


def _run_as_non_root(before: Ledger, after: Ledger) -> list[str]:
    if before.run_as_non_root == after.run_as_non_root:
        return []
    return [f"{'+' if after.run_as_non_root else '−'} runAsNonRoot (the kubelet refuses to start the pod as root)"]


def _pod_security_checks(before: Ledger, after: Ledger) -> list[str]:
    lines = []
    # In kubectl's words where they differ, else by check id (two checks can share one reason).
    for old_checks, new_checks in (
        (before.agent_violation_reasons, after.agent_violation_reasons),
        (before.agent_violations, after.agent_violations),
    ):
        lines += [f"+ fails Pod Security: {r}" for r in new_checks if r not in old_checks]
        lines += [f"− fails Pod Security: {r}" for r in old_checks if r not in new_checks]
        if lines:
            break
    return lines


def _applications(before: Ledger, after: Ledger) -> list[str]:
    """What application pods must mount, when their Pod Security level alone does not show the change."""
    if before.app_reason == after.app_reason or before.app_level != after.app_level:
        return []
    return [f"± apps: {after.app_reason}"]


_EXTRA_LINES: tuple[Callable[[Ledger, Ledger], list[str]], ...] = (
    _listeners,
    _host_path_mounts,
    _containers,
    _run_as_non_root,
    _pod_security_checks,
    _applications,
)

# Who shows a change of each ledger field (`ledger_delta` or one of the functions above).
LEDGER_FIELDS: dict[str, Callable[[Ledger, Ledger], list[str]]] = {
    **dict.fromkeys(
        (
            "host_pid",
            "host_network",
            "host_ports",
            "run_as_user",
            "capabilities",
            "containers",
            "agent_level",
            "app_level",
        ),
        ledger_delta,
    ),
    "listeners": _listeners,
    "host_paths": _host_path_mounts,  # and ledger_delta's "+/−" lines
    "container_users": _containers,
    "run_as_non_root": _run_as_non_root,
    "agent_violations": _pod_security_checks,
    "agent_violation_reasons": _pod_security_checks,
    "container_grants": _containers,
    "app_reason": _applications,
}


@lru_cache(maxsize=256)
def option_checks(decision_id: str, value: Any, answers: Answers | None = None) -> tuple[str, ...]:
    """The Pod Security checks choosing `value` breaks, as "level: what kubectl reports".

    Compared with the least-privilege choice for the same decision (its default, or for a list the
    same list without `value`), all other answers as given (the defaults unless `answers`): a check
    counts when it fails with `value` and passes without it, or fails over more of the pod.
    """
    base = answers or Answers()
    current = getattr(base, decision_id)
    try:
        if isinstance(current, tuple):
            chosen = base.replace(**{decision_id: (*current, value)})
            without = base.replace(**{decision_id: tuple(v for v in current if v != value)})
        else:
            chosen = base.replace(**{decision_id: value})
            without = base.replace(**{decision_id: getattr(Answers(), decision_id)})
    except AnswerError:
        return ()
    before = {r.check_id: r for r in Deployment.of(without).pod_security_results}
    out = []
    for result in Deployment.of(chosen).pod_security_results:
        old = before[result.check_id]
        if not result.allowed and (old.allowed or old.detail != result.detail):
            out.append(f"{result.level}: {result.reason}")
    return tuple(dict.fromkeys(out))

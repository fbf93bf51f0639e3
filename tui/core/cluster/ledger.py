"""The cluster ledger: every permission the release keeps, what needs it, and which ones are dangerous.

Computed from the cluster model after the bundle's RBAC patch (see `Deployment.cluster`); the
JSON part (`as_json`) is what privileges.json holds under "cluster", and what the integration tests
compare with a real render read by the same `cluster_grants` functions.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from tui.core.cluster.grants import DANGERS, DANGERS_BY_ID, Grant, dangers_of, grant_set, workloads_of
from tui.core.cluster.model import FEATURES, ClusterModel


class FeatureGrants(NamedTuple):
    """The permissions one feature keeps, and the dangerous classes among them."""

    feature: str
    grants: tuple[str, ...]
    dangers: tuple[str, ...]


class ClusterLedger(NamedTuple):
    grants: tuple[str, ...]
    workloads: dict[str, dict[str, Any]]
    features: dict[str, tuple[str, ...]]  # grant -> features that need it

    @classmethod
    def of(cls, model: ClusterModel, namespace: str) -> ClusterLedger:
        by_grant = model.features_of_grants(namespace)
        grants = grant_set(model.objects, namespace)
        return cls(
            tuple(sorted(str(g) for g in grants)),
            workloads_of(model.objects),
            {str(g): by_grant.get(g, ("cluster-agent",)) for g in grants},
        )

    def as_json(self) -> dict[str, Any]:
        return {"grants": list(self.grants), "workloads": self.workloads}

    @property
    def dangers(self) -> tuple[str, ...]:
        """The dangerous classes present, most dangerous first."""
        present = {d for g in self.grants for d in dangers_of(g)}
        return tuple(d.id for d in DANGERS if d.id in present)

    def by_feature(self) -> list[FeatureGrants]:
        """Grants grouped by the feature that needs them; features holding dangerous grants first."""
        groups: dict[str, list[str]] = {}
        for grant in self.grants:
            for feature in self.features[grant]:
                groups.setdefault(feature, []).append(grant)
        rows = [
            FeatureGrants(
                feature,
                tuple(grants),
                tuple(d.id for d in DANGERS if any(d.id in dangers_of(g) for g in grants)),
            )
            for feature, grants in groups.items()
        ]
        order = list(FEATURES)

        def rank(row: FeatureGrants) -> tuple[int, int]:
            worst = min((DANGERS.index(DANGERS_BY_ID[d]) for d in row.dangers), default=len(DANGERS))
            return worst, order.index(row.feature) if row.feature in order else len(order)

        return sorted(rows, key=rank)


def describe(grant: str) -> str:
    """A grant in words: `list/watch secrets (cluster-wide)`."""
    g = Grant.parse(grant)
    what = (
        g.resource if g.resource.startswith("url:") else (f"{g.api_group}/{g.resource}" if g.api_group else g.resource)
    )
    named = f" {g.name}" if g.name != "*" else ""
    where = "cluster-wide" if g.scope == "cluster" else f"in {g.scope}"
    return f"{g.verb} {what}{named} ({where})"


def summarise(grants: list[str]) -> list[str]:
    """Grants merged by verb: `list, watch secrets (cluster-wide)`, for short listings."""
    merged: dict[str, list[str]] = {}
    for grant in grants:
        g = Grant.parse(grant)
        what = describe(grant).split(" ", 1)[1]
        merged.setdefault(what, []).append(g.verb)
    return [f"{'/'.join(verbs)} {what}" for what, verbs in merged.items()]

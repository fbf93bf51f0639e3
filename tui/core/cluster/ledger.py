"""The cluster ledger: every permission the release keeps, what needs it, and which ones are dangerous.

Computed from the cluster model after the bundle's RBAC patch (see `Deployment.cluster`); the
JSON part (`as_json`) is what privileges.json holds under "cluster", and what the integration tests
compare with a real render read by the same `cluster_grants` functions.
"""

from functools import cached_property
from typing import Any, NamedTuple

from tui.core.cluster.grants import DANGERS, DANGERS_BY_ID, Grant, dangers_of, grant_set, workloads_of
from tui.core.cluster.model import FEATURES, ClusterModel


class FeatureGrants(NamedTuple):
    """The permissions one feature keeps, and the dangerous classes among them."""

    feature: str
    grants: tuple[str, ...]
    dangers: tuple[str, ...]


class ClusterLedger:
    """The permissions a cluster model binds to the release, its Deployments' security contexts, and the
    features that need each permission; each part is read off the model the first time it is asked for
    (a what-if comparison needs only the grants)."""

    def __init__(self, model: ClusterModel, namespace: str):
        self._model = model
        self._namespace = namespace

    @classmethod
    def of(cls, model: ClusterModel, namespace: str) -> "ClusterLedger":
        return cls(model, namespace)

    @cached_property
    def _grants(self) -> set[Grant]:
        return grant_set(self._model.objects, self._namespace)

    @cached_property
    def grants(self) -> tuple[str, ...]:
        return tuple(sorted(str(g) for g in self._grants))

    @cached_property
    def workloads(self) -> dict[str, dict[str, Any]]:
        return workloads_of(self._model.objects)

    @cached_property
    def features(self) -> dict[str, tuple[str, ...]]:
        """grant -> the features that need it."""
        by_grant = self._model.features_of_grants(self._namespace)
        return {str(g): by_grant.get(g, ("cluster-agent",)) for g in self._grants}

    def as_json(self) -> dict[str, Any]:
        return {"grants": list(self.grants), "workloads": self.workloads}

    @cached_property
    def dangers(self) -> tuple[str, ...]:
        """The dangerous classes present, most dangerous first."""
        present = {d for g in self.grants for d in dangers_of(g)}
        return tuple(d.id for d in DANGERS if d.id in present)

    def by_feature(self) -> list[FeatureGrants]:
        """Grants grouped by the feature that needs them; features holding dangerous grants first."""
        return list(self._by_feature)

    @cached_property
    def _by_feature(self) -> tuple[FeatureGrants, ...]:
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

        return tuple(sorted(rows, key=rank))


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

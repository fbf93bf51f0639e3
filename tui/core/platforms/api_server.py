"""What a cluster's API server reports to helm: the input of the chart's capability-dependent branches.

`helm install` reads these from the cluster; `helm template` knows nothing unless given the same
facts as `--kube-version` and `--api-versions`. One value of this type is passed to the chart model
and turned into those flags, so the offline render, the model and the real cluster agree.
"""

from typing import NamedTuple

from tui.core.agent_version import chart_tag_at_least


class Cluster(NamedTuple):
    """`kube_version` None: whatever helm assumes offline (the chart has no branch that cares)."""

    kube_version: str | None = None
    api_versions: frozenset[str] = frozenset()

    def serves(self, api_version: str) -> bool:
        """`.Capabilities.APIVersions.Has`: a group/version/kind this API server serves."""
        return api_version in self.api_versions

    def kube_at_least(self, floor: str) -> bool:
        """`semverCompare ">=floor" .Capabilities.KubeVersion.Version`; helm's offline default is recent."""
        if self.kube_version is None:
            return True
        return chart_tag_at_least(self.kube_version.removeprefix("v"), floor.removeprefix("v"))

    def at_version(self, minor: str) -> "Cluster":
        """This API server at Kubernetes `minor` ("1.33"): its own patch string when the minor agrees."""
        if self.kube_version and self.kube_version.removeprefix("v").split(".")[:2] == minor.split("."):
            return self
        return self._replace(kube_version=f"v{minor}.0")

    def helm_flags(self) -> tuple[str, ...]:
        """The `helm template` flags that make an offline render see this cluster."""
        flags: list[str] = []
        if self.kube_version:
            flags += ["--kube-version", self.kube_version]
        for api in sorted(self.api_versions):
            flags += ["--api-versions", api]
        return tuple(flags)


# An API server that reports nothing special: what `helm template` assumes without flags.
ANY_CLUSTER = Cluster()

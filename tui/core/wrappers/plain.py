"""Plain chart values (or a full copy of the chart's values.yaml): the whole document is the values.

No controller: the bundle's own next steps install it with helm and kustomize.
"""

from __future__ import annotations

from tui.core.wrappers.base import WrapperForm
from tui.core.wrappers.source import ValuesSource


class PlainValues(WrapperForm):
    name = "values"
    label = "values file"
    title = "values"

    def source(self) -> ValuesSource:
        """The values of a file that is nothing but values."""
        return ValuesSource(self.name, 0, ())


FORM = PlainValues()

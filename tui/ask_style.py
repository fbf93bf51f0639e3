"""The look of `ddsecure ask`: one questionary style, and none at all when NO_COLOR is set.

Imported only by `tui.ask`, after questionary itself, so nothing else pays for it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

ACCENT = "#8f5fd7"  # a readable purple on dark and light backgrounds
MUTED = "#8a8a8a"

_COLOUR_RULES = (
    ("qmark", f"fg:{ACCENT} bold"),
    ("question", "bold"),
    ("answer", f"fg:{ACCENT} bold"),
    ("pointer", f"fg:{ACCENT} bold"),
    ("highlighted", f"fg:{ACCENT} bold"),
    ("selected", f"fg:{ACCENT}"),
    ("instruction", f"fg:{MUTED} italic"),
    ("text", ""),
    ("disabled", f"fg:{MUTED} italic"),
    ("separator", f"fg:{MUTED}"),
)

# Same classes, attributes only: NO_COLOR asks for no colour, not for no emphasis.
_PLAIN_RULES = (
    ("qmark", "noinherit bold"),
    ("question", "noinherit bold"),
    ("answer", "noinherit bold"),
    ("pointer", "noinherit bold"),
    ("highlighted", "noinherit bold"),
    ("selected", "noinherit"),
    ("instruction", "noinherit italic"),
    ("text", "noinherit"),
    ("disabled", "noinherit italic"),
    ("separator", "noinherit"),
    ("validation-toolbar", "noinherit reverse"),
)


def no_color(environ: Mapping[str, str] | None = None) -> bool:
    """https://no-color.org: any non-empty NO_COLOR turns colour off."""
    return bool((os.environ if environ is None else environ).get("NO_COLOR"))


def prompt_options(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments every questionary prompt of the wizard gets (style, colour depth)."""
    import questionary
    from prompt_toolkit.output import ColorDepth

    if no_color(environ):
        return {"style": questionary.Style(list(_PLAIN_RULES)), "color_depth": ColorDepth.DEPTH_1_BIT}
    return {"style": questionary.Style(list(_COLOUR_RULES))}

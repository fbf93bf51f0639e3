"""Command palette entries: load one of the built-in presets as the current answers."""

from __future__ import annotations

from functools import partial
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.core.answers.files import load_preset, preset_names


class _LoadsPresets(Protocol):
    def load_preset(self, name: str) -> None: ...


class PresetCommands(Provider):
    @property
    def _wizard(self) -> _LoadsPresets:
        return cast(_LoadsPresets, self.app)

    def _entries(self) -> list[tuple[str, str, str]]:
        return [(name, f"Load preset: {name}", load_preset(name).description) for name in preset_names()]

    async def discover(self) -> Hits:
        for name, title, description in self._entries():
            yield DiscoveryHit(title, partial(self._wizard.load_preset, name), help=description)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, title, description in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._wizard.load_preset, name), help=description)

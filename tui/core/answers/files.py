"""Reading answers files and presets: YAML mappings of answer ids, parsed strictly.

ruamel.yaml is imported only when a file is actually read, so `ddsecure generate --set ...` and the
import of the core stay light.
"""

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from tui.core.answers.presets import read_flat_yaml
from tui.core.errors import InputFileError

if TYPE_CHECKING:
    from tui.core.answers.contract import Answers


def load_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    """A YAML file that must hold one mapping; every failure is one line naming the file."""
    from tui.core.yamlio.reader import read_text

    return parse_yaml_mapping(read_text(path, what), f"{what} {path}")


def parse_yaml_mapping(text: str, where: str) -> dict[str, Any]:
    from tui.core.yamlio.reader import parse_documents

    documents = parse_documents(text, where)
    if len(documents) > 1:
        raise InputFileError(f"{where}: holds {len(documents)} YAML documents; expected one mapping of answer ids")
    data = documents[0] if documents else {}
    if not isinstance(data, Mapping):
        raise InputFileError(f"{where}: expected a mapping of answer ids, got {type(data).__name__}")
    return dict(data)


class Preset(NamedTuple):
    name: str
    description: str
    answers: dict[str, Any]


def presets_dir() -> Path:
    """Presets ship inside the package (wheel) or sit at the top of a source checkout."""
    package = Path(__file__).resolve().parents[2]  # tui/, from tui/core/answers/
    for candidate in (package / "presets", package.parent / "presets"):
        if candidate.is_dir():
            return candidate
    return package / "presets"


def preset_names() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.yaml"))


def load_preset(name: str) -> Preset:
    path = presets_dir() / f"{name}.yaml"
    if not name or "/" in name or not path.is_file():
        raise InputFileError(f"unknown preset {name!r}; valid presets: {', '.join(preset_names())}")
    data = read_flat_yaml(path.read_text(encoding="utf-8")) or load_yaml_mapping(path, "preset")
    answers = data.get("answers") or {}
    if not isinstance(answers, Mapping):
        raise InputFileError(f"preset {name}: 'answers' must be a mapping")
    return Preset(name, str(data.get("description", "")).strip(), dict(answers))


def resolve_answers(
    *, preset: str | None = None, answers_file: Path | None = None, sets: Iterable[str] = ()
) -> "Answers":
    """Defaults, then the preset, then the answers file, then each `ID=VALUE`: the last to set an id wins.

    The one layering every entry point uses: `generate`, `audit --fix`, and both wizards' start.
    """
    from tui.core.answers.contract import layer, parse_set

    layers: list[Mapping[str, Any]] = []
    if preset:
        layers.append(load_preset(preset).answers)
    if answers_file:
        layers.append(answers_from_file(answers_file))
    layers += [dict([parse_set(item)]) for item in sets]
    return layer(layers)


def answers_from_file(path: Path) -> dict[str, Any]:
    """An answers file is a mapping of ids; a preset-shaped file (`answers:` inside) is accepted too."""
    data = load_yaml_mapping(path, "answers file")
    if set(data) <= {"answers", "description"} and isinstance(data.get("answers"), Mapping):
        return dict(data["answers"])
    return data

"""Reading answers files and presets: YAML mappings of answer ids, parsed strictly.

ruamel.yaml is imported only when a file is actually read, so `ddsecure generate --set ...` and the
import of the core stay light.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from tui.core.errors import InputFileError
from tui.core.preset_reader import read_flat_yaml

MAX_ANSWERS_BYTES = 1_000_000


def load_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    """A YAML file that must hold one mapping; every failure is one line naming the file."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise InputFileError(f"{what} {path}: {error.strerror or error}") from None
    if len(raw) > MAX_ANSWERS_BYTES:
        raise InputFileError(f"{what} {path}: larger than {MAX_ANSWERS_BYTES // 1000} kB; not an answers file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputFileError(f"{what} {path}: not UTF-8 text") from None
    return parse_yaml_mapping(text, f"{what} {path}")


def parse_yaml_mapping(text: str, where: str) -> dict[str, Any]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        data = yaml.load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputFileError(f"{where}: not valid YAML{at}: {problem}") from None
    except Exception as error:  # ruamel raises plain exceptions for some malformed input
        raise InputFileError(
            f"{where}: not valid YAML: {str(error).splitlines()[0] if str(error) else error}"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InputFileError(f"{where}: expected a mapping of answer ids, got {type(data).__name__}")
    return dict(data)


class Preset(NamedTuple):
    name: str
    description: str
    answers: dict[str, Any]


def presets_dir() -> Path:
    """Presets ship inside the package (wheel) or sit at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
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


def answers_from_file(path: Path) -> dict[str, Any]:
    """An answers file is a mapping of ids; a preset-shaped file (`answers:` inside) is accepted too."""
    data = load_yaml_mapping(path, "answers file")
    if set(data) <= {"answers", "description"} and isinstance(data.get("answers"), Mapping):
        return dict(data["answers"])
    return data

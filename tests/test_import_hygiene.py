"""The core and preset mode never load a UI library: proven in fresh interpreters."""

from __future__ import annotations

import hashlib
import importlib.util
import pkgutil
import subprocess
import sys

import tui.core

UI_LIBRARIES = ("textual", "questionary", "prompt_toolkit", "rich")


def _loaded_ui_modules(code: str) -> list[str]:
    probe = code + f"\nimport sys\nprint(' '.join(m for m in sys.modules if m.split('.')[0] in {UI_LIBRARIES!r}))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_every_core_module_imports_without_ui_libraries():
    modules = [m.name for m in pkgutil.walk_packages(tui.core.__path__, "tui.core.")]
    assert "tui.core.deployment" in modules
    code = "\n".join(f"import {name}" for name in modules)
    assert _loaded_ui_modules(code) == []


def test_generate_command_imports_no_ui_library(tmp_path):
    code = (
        "import io\nfrom tui.cli import main\n"
        f"rc = main(['generate', '--preset', 'everything-hardened', '-o', {str(tmp_path / 'out')!r}], io.StringIO())\n"
        "assert rc == 0, rc\n"
    )
    assert _loaded_ui_modules(code) == []
    assert (tmp_path / "out" / "values.yaml").is_file()


# What generate must not load: it reads no values file (the chart's keys, the answers a file amounts to,
# the audit) and so none of the standard modules that only those need (each costs start-up time); it wraps
# its own notes without textwrap, and hashes with Python's own SHA-256, so OpenSSL is not loaded (when this
# Python has its own).
NOT_FOR_GENERATE = (
    "tui.core.audit",
    "tui.core.chart.keys",
    "tui.core.chart.infer",
    "dataclasses",
    "difflib",
    "textwrap",
)
NOT_FOR_GENERATE += ("_hashlib",) if importlib.util.find_spec("_sha256") or importlib.util.find_spec("_sha2") else ()


def test_generate_loads_nothing_only_reading_a_values_file_needs(tmp_path):
    probe = (
        "import io, sys\nfrom tui.cli import main\n"
        f"rc = main(['generate', '--preset', 'everything-hardened', '-o', {str(tmp_path / 'out')!r}], io.StringIO())\n"
        f"print(' '.join(m for m in sys.modules if m.startswith({NOT_FOR_GENERATE!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split() == []


def test_the_digest_is_sha256():
    from tui.core.digest import sha256_hex

    assert sha256_hex("ddsecure é") == hashlib.sha256("ddsecure é".encode()).hexdigest()


def test_the_probe_would_notice_a_ui_import():
    assert "questionary" in _loaded_ui_modules("import questionary")


def test_only_the_entry_point_imports_the_command_line():
    """Answer layering and exit codes live below the CLI: the wizards and the core never import tui.cli."""
    import ast
    from pathlib import Path

    package = Path(tui.core.__file__).resolve().parents[1]
    importers = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if "tui.cli" in names:
                importers.append(path.relative_to(package).as_posix())
    assert importers == ["__main__.py"]


def test_answers_are_layered_by_the_core(tmp_path):
    from tui.core.answers.contract import Answers
    from tui.core.answers.files import resolve_answers

    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text("logs: all\napm: uds\ndogstatsd: uds\n")
    resolved = resolve_answers(preset="minimal-metrics", answers_file=answers_file, sets=["apm=off", "logs=annotated"])
    assert resolved == Answers(dogstatsd="uds", apm="off", logs="annotated")
    assert resolve_answers() == Answers()


def test_modules_that_define_named_tuples_evaluate_their_annotations():
    """typing.NamedTuple compiles each field annotation that is a string (all of them under
    `from __future__ import annotations`): that cost preset mode 4% of its instructions."""
    import ast
    from pathlib import Path

    package = Path(tui.core.__file__).resolve().parents[1]
    offenders = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        postponed = any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in tree.body)
        named_tuples = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.ClassDef) and any(ast.unparse(b) == "NamedTuple" for b in n.bases)
        ]
        if postponed and named_tuples:
            offenders.append(path.relative_to(package).as_posix())
    assert offenders == []

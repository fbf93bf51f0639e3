"""ddsecure's YAML reader against helm's own, on generated values files.

A chart whose only template is `{{ toJson .Values }}` shows exactly the tree helm read. Hypothesis
writes values files with every scalar spelling (YAML 1.1 booleans, nulls, octal/hex/binary and
underscored integers, floats, base-60 and timestamps, plain, quoted and block), keys written twice at
several depths, anchors, aliases and merge keys, flow and block styles and comments; several files
are read by one helm call (each under a key of its own), and ddsecure must read the same tree.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.errors import InputFileError
from tui.core.yamlio.helm import read_values, resolve_plain

CHART = Path(__file__).parent / "helm_reading_chart"
HELM = shutil.which("helm")
needs_helm = pytest.mark.skipif(HELM is None, reason="helm is not on PATH: the differential test needs real helm")

BOOLS = [f(w) for w in ("y", "yes", "true", "on", "n", "no", "false", "off") for f in (str.lower, str.upper, str.title)]
NULLS = ["~", "null", "Null", "NULL", ""]
INTS = [
    "0",
    "7",
    "-12",
    "+12",
    "0x1F",
    "0X1f",
    "-0x10",
    "0o17",
    "017",
    "09",
    "1_000",
    "0b101",
    "-0b11",
    "0b",
    "0x",
    "12345678901234567891",
    "9223372036854775807",
    "-9223372036854775809",
    "18446744073709551615",
    "1__0",
    "1_",
]
FLOATS = ["1.5", ".5", "1e3", "1.", "+.5", "-1.5e-3", "1_0.5", "1e400", "6.02e+23", "1e21", "1.0", "._5", ".e3"]
OTHERS = [
    "hello",
    "yes please",
    "190:20:30",
    "2001-12-14",
    "2001-12-14T21:59:43Z",
    "a b",
    "<<x",
    "-",
    "+",
    "0.5.1",
    "7.81.1-jmx",
    "v1.2",
    "3.240.0",
]
SCALARS = BOOLS + NULLS + INTS + FLOATS + OTHERS
NAMES = ["a", "b", "logs", "enabled", "env", "datadog"]
SPECIAL_KEYS = ["yes", "on", "n", "Off", "1", "0x1", "010", "1.5"]  # keys that are not strings to go-yaml


@st.composite
def scalars(draw, flow: bool = False) -> str:
    text = draw(st.sampled_from(SCALARS))
    style = draw(st.sampled_from(["plain", "plain", "single", "double"] + ([] if flow else ["literal", "folded"])))
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(text)
    if style in ("literal", "folded") and text:
        return ("|" if style == "literal" else ">") + draw(st.sampled_from(["", "-", "+"])) + "\n" + text
    if flow and text == "":
        return "''"
    if not flow and text == "-":
        return "'-'"  # a plain `-` after a key starts a sequence entry, which helm refuses there (tested below)
    return text


def keys(draw) -> str:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(SPECIAL_KEYS))  # always plain: a quoted "1" beside 1 is undefined in helm
    name = draw(st.sampled_from(NAMES))
    return draw(st.sampled_from([name, name, f"'{name}'", f'"{name}"']))


@st.composite
def mappings(draw, depth: int, anchors: tuple[str, ...]) -> list[tuple[str, object]]:
    """(key, value) pairs, keys repeated on purpose; a value is a scalar text, a nested list of pairs,
    a list of scalars, or ('alias', name) / ('merge', names)."""
    pairs: list[tuple[str, object]] = []
    for _ in range(draw(st.integers(1, 4))):
        roll = draw(st.integers(0, 9))
        if anchors and roll == 0:
            chosen = draw(st.lists(st.sampled_from(anchors), min_size=1, max_size=2, unique=True))
            pairs.append(("<<", ("merge", tuple(chosen))))
            continue
        key = keys(draw)
        if anchors and roll == 1:
            pairs.append((key, ("alias", draw(st.sampled_from(anchors)))))
        elif depth < 3 and roll in (2, 3, 4):
            pairs.append((key, draw(mappings(depth + 1, anchors))))
        elif roll == 5:
            pairs.append((key, ("list", draw(st.lists(scalars(flow=True), min_size=0, max_size=3)))))
        else:
            pairs.append((key, draw(scalars())))
        if pairs and draw(st.integers(0, 5)) == 0:
            pairs.append((*pairs[-1][:1], draw(scalars())))  # the same key again, at this depth
    return pairs


def _scalar_block(value: str, indent: int) -> str:
    if value[:1] in "|>" and "\n" in value:
        head, body = value.split("\n", 1)
        return f" {head}\n" + " " * (indent + 2) + body + "\n"
    return (f" {value}" if value else "") + "\n"


def render(pairs, indent: int, flow: bool, comments: bool) -> str:
    """Block or flow YAML for the pairs."""
    if flow:
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in pairs) + "}"
    pad = " " * indent
    out = []
    for n, (key, value) in enumerate(pairs):
        if comments and n % 2:
            out.append(f"{pad}# a comment\n")
        if isinstance(value, list):
            if n % 3 == 2:
                out.append(f"{pad}{key}: {render(value, indent + 2, True, False)}\n")
            else:
                out.append(f"{pad}{key}:\n{render(value, indent + 2, False, comments)}")
        elif isinstance(value, tuple) and value[0] == "alias":
            out.append(f"{pad}{key}: *{value[1]}\n")
        elif isinstance(value, tuple) and value[0] == "merge":
            names = value[1]
            target = f"*{names[0]}" if len(names) == 1 else "[" + ", ".join(f"*{m}" for m in names) + "]"
            out.append(f"{pad}{key}: {target}\n")
        elif isinstance(value, tuple) and value[0] == "list":
            out.append(f"{pad}{key}:\n" + "".join(f"{pad}- {item}\n" for item in value[1]) if value[1] else "")
            if not value[1]:
                out.append(f"{pad}{key}: []\n")
        else:
            tail = " # trailing" if comments and value and value[0] not in "|>" else ""
            out.append(f"{pad}{key}:{_scalar_block(value, indent).rstrip(chr(10))}{tail}\n")
    return "".join(out)


def _flow(value) -> str:
    if isinstance(value, list):
        return render(value, 0, True, False)
    if isinstance(value, tuple):
        if value[0] == "alias":
            return f"*{value[1]}"
        if value[0] == "merge":
            names = value[1]
            return f"*{names[0]}" if len(names) == 1 else "[" + ", ".join(f"*{m}" for m in names) + "]"
        return "[" + ", ".join(value[1]) + "]"
    if value[:1] in "|>" and "\n" in value:
        return json.dumps(value.split("\n", 1)[1])
    return value if value else "''"


@st.composite
def values_files(draw, number: int) -> str:
    anchors: tuple[str, ...] = ()
    text = ""
    if draw(st.booleans()):
        name = f"A{number}"
        base = draw(mappings(2, ()))
        text += f"base{number}: &{name}\n" + render(base, 2, False, False)
        anchors = (name,)
    body = draw(mappings(0, anchors))
    flow = not anchors and draw(st.integers(0, 4)) == 0
    comments = draw(st.booleans())
    text += render(body, 0, False, comments) if not flow else render(body, 0, True, False) + "\n"
    return text


def _nested(texts: list[str]) -> str:
    """One file holding every text under a key of its own (document k under `fK:`)."""
    out = []
    for n, text in enumerate(texts):
        out.append(f"f{n}:\n" + "".join(f"  {line}\n" if line.strip() else "\n" for line in text.splitlines()))
    return "".join(out)


def _helm_values(tmp: Path, text: str) -> str | None:
    path = tmp / "values.yaml"
    path.write_text(text)
    done = subprocess.run([HELM, "template", "r", str(CHART), "-f", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        return None
    body = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return json.dumps(json.loads(body[0]), sort_keys=True)


def _ours(text: str) -> str | None:
    try:
        return json.dumps(read_values(text, "test").documents[0], sort_keys=True)
    except InputFileError:
        return None


@needs_helm
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(st.integers(0, 10**6), min_size=2, max_size=4).flatmap(
        lambda seeds: st.tuples(*(values_files(n) for n in range(len(seeds))))
    )
)
def test_reads_every_generated_file_as_helm_does(tmp_path_factory, texts):
    text = _nested(list(texts))
    theirs = _helm_values(tmp_path_factory.mktemp("values"), text)
    assert theirs is not None, text  # every generated file is one helm reads
    assert _ours(text) == theirs, text


@needs_helm
@pytest.mark.parametrize(
    "text",
    [
        "a: {x: 1, z: 3}\nq: 1\n---\na: {y: 2}\nq: null\n---\n---\n# only a comment\n",  # documents merge
        "a: 1\n--- # a comment\nb: 2\n",
        "- 1\n",  # not a mapping: helm fails
        "a: .inf\n",  # JSON has no infinity: helm fails
        "a: -\n",  # a sequence entry where a value goes: helm fails
        "a: [-, --]\nb: {c: -}\nd:\n- -\n",  # in flow, `-` is a string; in block, a nested list
        "a: !!int '0x10'\nb: !!str 010\nc: !!float 1\nd: !!bool 'yes'\n",
        "a: !!int 'x'\n",
        "~\n",
        "",
        "a: &x [1, 2]\nb: *x\nc: &y {k: 1}\nd: {<<: *y, k: 2}\ne: {k: 2, <<: *y}\n",
        "yes: 1\non: 2\nn: 3\n1: a\n0x1: b\n010: c\n2001-12-14: d\n",
        "%YAML 1.0\n---\na: 1\n",  # versions ruamel asserts on: refused in one line, as helm refuses them
        "%YAML 1.3\n---\na: 1\n",
    ],
)
def test_reads_these_files_as_helm_does(tmp_path, text):
    assert _ours(text) == _helm_values(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", True),
        ("Off", False),
        ("N", False),
        ("~", None),
        ("0x1F", 31),
        ("017", 8 + 7),
        ("0o17", 15),
        ("1_000", 1000),
        ("0b101", 5),
        ("190:20:30", "190:20:30"),
        ("09", 9.0),
        ("1e400", "1e400"),
        ("yes please", "yes please"),
        ("-", "-"),
        ("2001-12-14", "2001-12-14"),
    ],
)
def test_plain_scalars_resolve_as_in_yaml_1_1(text, value):
    resolved = resolve_plain(text)
    assert resolved == value and type(resolved) is type(value)


def test_a_key_written_twice_names_the_block_helm_ignores():
    text = (
        "datadog:\n  logs:\n    enabled: true\n    containerCollectAll: true\n  apiKey: x\n"
        "  logs:\n    enabled: false\n"
    )
    reading = read_values(text, "test")
    assert reading.documents[0]["datadog"]["logs"] == {"enabled": False}
    [(_, duplicate)] = reading.duplicates
    assert duplicate.path == ("datadog", "logs")
    assert duplicate.ignored == (2, 4) and duplicate.kept == 6
    assert duplicate.held == {"enabled": True, "containerCollectAll": True}
    assert reading.lines[(0, ("datadog", "logs", "enabled"))] == 7

"""`ddsecure completion bash|zsh|fish`: a completion script written from the argparse parser.

The script is static: commands, flags, preset names and answer ids are written into it when it is
generated, so pressing Tab never starts Python and nothing here is imported unless `completion` runs.
"""

import argparse
import shlex
from typing import NamedTuple

SHELLS = ("bash", "zsh", "fish")

# What an option's value (or a positional) completes to.
FILES, DIRS, WORDS, SETS = "files", "dirs", "words", "sets"


class Value(NamedTuple):
    kind: str  # FILES, DIRS, WORDS or SETS
    words: tuple[str, ...] = ()


class Option(NamedTuple):
    flags: tuple[str, ...]
    help: str
    value: Value | None  # None: a flag that takes no value


class Command(NamedTuple):
    name: str  # "" for the options given without a command (the wizard's)
    help: str
    options: tuple[Option, ...]
    positional: Value | None


class Vocabulary(NamedTuple):
    """What the values of ddsecure's options are drawn from."""

    presets: tuple[str, ...]
    answer_values: dict[str, tuple[str, ...]]  # answer id -> its values ((): free text)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.answer_values)


def vocabulary() -> Vocabulary:
    from tui.core.answers.contract import ANSWER_SPECS
    from tui.core.answers.files import preset_names

    values = {}
    for spec in ANSWER_SPECS.values():
        values[spec.id] = ("true", "false") if spec.kind == "bool" else spec.choices
    return Vocabulary(tuple(preset_names()), values)


def _value_of(action: argparse.Action, vocab: Vocabulary) -> Value | None:
    if action.nargs == 0:
        return None
    if action.choices:
        return Value(WORDS, tuple(str(c) for c in action.choices))
    dest = action.dest.removeprefix("bare_")
    metavar = str(action.metavar or "")
    if dest == "preset":
        return Value(WORDS, vocab.presets)
    if dest == "sets":
        return Value(SETS)
    if dest == "id":  # `explain ID`
        return Value(WORDS, (*vocab.ids, "cluster"))
    if metavar == "DIR" or dest == "output":
        return Value(DIRS)
    if "DIR" in metavar or "FILE" in metavar or "JSON" in metavar or metavar == "PATH":
        return Value(FILES)
    return Value(WORDS)  # free text: nothing to offer


def commands(parser: argparse.ArgumentParser, vocab: Vocabulary) -> list[Command]:
    """The bare command (the parser's own options) first, then each subcommand."""

    def walk(name: str, help_text: str, p: argparse.ArgumentParser) -> Command:
        options, positional = [], None
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if action.option_strings:
                options.append(Option(tuple(action.option_strings), action.help or "", _value_of(action, vocab)))
            elif positional is None:
                positional = _value_of(action, vocab)
        return Command(name, help_text, tuple(options), positional)

    out = [walk("", "", parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: str(choice.help or "") for choice in action._choices_actions}
            out += [walk(name, helps.get(name, ""), sub) for name, sub in action.choices.items()]
    return out


def completion_script(shell: str, parser: argparse.ArgumentParser) -> str:
    vocab = vocabulary()
    found = commands(parser, vocab)
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](found, vocab)


# --- bash and zsh share the shape: find the command, then complete the previous option's value --------------


def _quoted(words: tuple[str, ...] | list[str]) -> str:
    return " ".join(words)


def _value_cases(found: list[Command], indent: str, emit: dict[str, str], words_cmd: str) -> list[str]:
    """`case "$cmd:$prev"` arms: each option that takes a value completes it and returns."""
    arms: dict[str, list[str]] = {}
    for command in found:
        for option in command.options:
            if option.value is None:
                continue
            if option.value.kind == WORDS:
                body = words_cmd.format(words=_quoted(option.value.words))
            else:
                body = emit[option.value.kind]
            arms.setdefault(body, []).extend(f"{command.name}:{flag}" for flag in option.flags)
    return [f"{indent}{'|'.join(patterns)}) {body}; return ;;" for body, patterns in arms.items()]


def _positional_cases(found: list[Command], indent: str, emit: dict[str, str], words_cmd: str) -> list[str]:
    lines = []
    for command in found:
        value = command.positional
        if value is None or not command.name:
            continue
        body = words_cmd.format(words=_quoted(value.words)) if value.kind == WORDS else emit[value.kind]
        lines.append(f"{indent}{command.name}) {body} ;;")
    return lines


def _flag_cases(found: list[Command], indent: str, words_cmd: str, empty: str) -> list[str]:
    lines = []
    for command in found:
        flags = words_cmd.format(words=_quoted([f for o in command.options for f in o.flags]))
        lines.append(f"{indent}{command.name or empty}) {flags} ;;")
    return lines


def _set_values_case(vocab: Vocabulary, indent: str) -> list[str]:
    return [f'{indent}{answer_id}) vals="{_quoted(values)}" ;;' for answer_id, values in vocab.answer_values.items()]


def _bash(found: list[Command], vocab: Vocabulary) -> str:
    names = [c.name for c in found if c.name]
    emit = {
        FILES: 'COMPREPLY=($(compgen -f -- "$cur"))',
        DIRS: 'COMPREPLY=($(compgen -d -- "$cur"))',
        SETS: "_ddsecure_set",
    }
    words_cmd = 'COMPREPLY=($(compgen -W "{words}" -- "$cur"))'
    ids = _quoted([f"{i}=" for i in vocab.ids])
    lines = [
        "# bash completion for ddsecure (generated by 'ddsecure completion bash')",
        "_ddsecure_values() {",
        '    local vals=""',
        '    case "$1" in',
        *_set_values_case(vocab, "        "),
        "    esac",
        '    printf "%s" "$vals"',
        "}",
        "_ddsecure_set() {",
        f'    COMPREPLY=($(compgen -W "{ids}" -- "$cur"))',
        "    compopt -o nospace 2>/dev/null",
        "}",
        "_ddsecure() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" i',
        "    COMPREPLY=()",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        case "${COMP_WORDS[i]}" in',
        f'            {"|".join(names)}) cmd="${{COMP_WORDS[i]}}"; break ;;',
        "        esac",
        "    done",
        "    # --set ID=VALUE: bash splits the word at '=', so the id is one or two words back.",
        '    if [[ "$cur" == "=" && "${COMP_WORDS[COMP_CWORD-2]}" == --set ]]; then',
        '        COMPREPLY=($(compgen -W "$(_ddsecure_values "$prev")" -- "")); return',
        "    fi",
        '    if [[ "$prev" == "=" && "${COMP_WORDS[COMP_CWORD-3]}" == --set ]]; then',
        '        COMPREPLY=($(compgen -W "$(_ddsecure_values "${COMP_WORDS[COMP_CWORD-2]}")" -- "$cur")); return',
        "    fi",
        '    case "$cmd:$prev" in',
        *_value_cases(found, "        ", emit, words_cmd),
        "    esac",
        '    if [[ "$cur" == -* ]]; then',
        '        case "$cmd" in',
        *_flag_cases(found, "            ", words_cmd, '""'),
        "        esac",
        "        return",
        "    fi",
        '    case "$cmd" in',
        f'        "") COMPREPLY=($(compgen -W "{_quoted(names)}" -- "$cur")) ;;',
        *_positional_cases(found, "        ", emit, words_cmd),
        "    esac",
        "}",
        "complete -F _ddsecure ddsecure",
    ]
    return "\n".join(lines) + "\n"


def _zsh(found: list[Command], vocab: Vocabulary) -> str:
    names = [c.name for c in found if c.name]
    emit = {FILES: "_files", DIRS: "_files -/", SETS: "_ddsecure_set"}
    words_cmd = "compadd -- {words}"
    command_lines = [f"        {shlex.quote(c.name + ':' + c.help.replace(':', ' -'))}" for c in found if c.name]
    lines = [
        "#compdef ddsecure",
        "# zsh completion for ddsecure (generated by 'ddsecure completion zsh')",
        "_ddsecure_set() {",
        "    local cur=${words[CURRENT]} vals=''",
        "    if [[ $cur == *=* ]]; then",
        "        case ${cur%%=*} in",
        *_set_values_case(vocab, "            "),
        "        esac",
        '        compadd -P "${cur%%=*}=" -- ${=vals}',
        "    else",
        f"        compadd -S '' -- {_quoted([f'{i}=' for i in vocab.ids])}",
        "    fi",
        "}",
        "_ddsecure() {",
        "    local cmd='' w prev=${words[CURRENT-1]} cur=${words[CURRENT]}",
        "    for w in ${words[2,CURRENT-1]}; do",
        "        case $w in",
        f"            ({'|'.join(names)}) cmd=$w; break ;;",
        "        esac",
        "    done",
        '    case "$cmd:$prev" in',
        *["        (" + line for line in _value_cases(found, "", emit, words_cmd)],
        "    esac",
        "    if [[ $cur == -* ]]; then",
        "        case $cmd in",
        *["            (" + line for line in _flag_cases(found, "", words_cmd, "''")],
        "        esac",
        "        return",
        "    fi",
        "    case $cmd in",
        "        ('')",
        "            local -a subcommands",
        "            subcommands=(",
        *[f"    {line}" for line in command_lines],
        "            )",
        "            _describe 'command' subcommands ;;",
        *["        (" + line for line in _positional_cases(found, "", emit, words_cmd)],
        "    esac",
        "}",
        'if [[ "$funcstack[1]" == _ddsecure ]]; then _ddsecure "$@"',
        "elif (( $+functions[compdef] )); then compdef _ddsecure ddsecure; fi",
    ]
    return "\n".join(lines) + "\n"


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(found: list[Command], vocab: Vocabulary) -> str:
    names = [c.name for c in found if c.name]
    lines = [
        "# fish completion for ddsecure (generated by 'ddsecure completion fish')",
        "complete -c ddsecure -f",
    ]
    for command in found:
        if command.name:
            lines.append(
                f"complete -c ddsecure -n '__fish_use_subcommand' -a {command.name} -d {_fish_quote(command.help)}"
            )
    for command in found:
        condition = (
            f"__fish_seen_subcommand_from {command.name}"
            if command.name
            else f"not __fish_seen_subcommand_from {' '.join(names)}"
        )
        for option in command.options:
            flags = []
            for flag in option.flags:
                flags.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
            value = option.value
            if value is None:
                how = ""
            elif value.kind == FILES:
                how = " -r -F"
            elif value.kind == DIRS:
                how = " -x -a '(__fish_complete_directories)'"
            elif value.kind == SETS:
                pairs = [
                    f"{answer_id}={v}" if v else f"{answer_id}="
                    for answer_id, values in vocab.answer_values.items()
                    for v in (values or ("",))
                ]
                how = f" -x -a {_fish_quote(' '.join(pairs))}"
            else:
                how = f" -x -a {_fish_quote(' '.join(value.words))}" if value.words else " -x"
            lines.append(
                f"complete -c ddsecure -n {_fish_quote(condition)} {' '.join(flags)}{how} -d {_fish_quote(option.help)}"
            )
        if command.name and command.positional is not None:
            condition = f"__fish_seen_subcommand_from {command.name}"
            if command.positional.kind == FILES:
                lines.append(f"complete -c ddsecure -n {_fish_quote(condition)} -F")
            elif command.positional.kind == WORDS and command.positional.words:
                words = _fish_quote(" ".join(command.positional.words))
                lines.append(f"complete -c ddsecure -n {_fish_quote(condition)} -a {words}")
    return "\n".join(lines) + "\n"

"""`ddsecure ask`: the decisions asked one step at a time with questionary, for plain terminals.

It walks `tui.core.answers.steps.STEPS` like the full-screen wizard does (the cluster features as one checkbox,
the release details as one "keep these?" confirmation), shows each option's trade-off,
privilege cost and privilege delta (all from the core; nothing about the chart is written here), then
previews the ledger and writes the same bundle as `ddsecure generate`.

questionary (and prompt_toolkit) are imported when the command runs, never at import time of the CLI.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from tui.core.answers.contract import Answers
from tui.core.answers.decisions import DECISIONS_BY_ID, Decision, Option, format_value, worded
from tui.core.answers.steps import CHECKLIST, FORM, STEPS, Step
from tui.core.errors import AnswerError
from tui.exit_codes import EXIT_INTERRUPTED, EXIT_OK

if TYPE_CHECKING:
    from tui.core.output.next_steps import NextSteps

DEFAULT_OUTPUT = Path("ddsecure-bundle")
INTERRUPTED = "ddsecure: interrupted; nothing was written"


class _More:
    """The value of the "more…" choice (and of the `?` key): print the full explanation, ask again."""

    def __repr__(self) -> str:
        return "MORE"


MORE = _More()


class _BackValue:
    """The value of the "← back" choice (and of the Esc key): return to the previous question."""

    def __repr__(self) -> str:
        return "BACK"


BACK = _BackValue()


class _Back(Exception):  # a signal, not an error
    """Raised by a prompt answered with BACK; the walk asks the previous question again."""


def run_ask(args: argparse.Namespace) -> int:
    """Entry point of `ddsecure ask` (called by `tui.cli`)."""
    return ask(args)


def ask(
    args: argparse.Namespace,
    *,
    input: Any = None,
    output: Any = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    require_tty: bool = True,
) -> int:
    """Run the wizard. Tests pass a prompt_toolkit `input`/`output` pair and `require_tty=False`."""
    out = out or sys.stdout
    err = err or sys.stderr
    if require_tty:
        from tui.terminal import require_terminal

        require_terminal("ask")
    from tui.core.answers.files import resolve_answers

    answers = resolve_answers(preset=getattr(args, "preset", None), answers_file=getattr(args, "answers", None))
    try:
        with _app_session(input, output):
            prompts = _Prompts()
            walk = _Walk(prompts, out)
            return walk.run(answers, args.output, getattr(args, "target", "helm"), getattr(args, "base", None))
    except (KeyboardInterrupt, EOFError):
        out.flush()
        err.write(f"\n{INTERRUPTED}\n")
        return EXIT_INTERRUPTED


@contextlib.contextmanager
def _app_session(input: Any, output: Any) -> Iterator[None]:
    if input is None and output is None:
        yield
        return
    from prompt_toolkit.application.current import create_app_session

    with create_app_session(input=input, output=output):
        yield


class _Prompts:
    """questionary prompts with the wizard's style, Ctrl-D as an interrupt and `?` for explanations."""

    def __init__(self) -> None:
        import questionary
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

        from tui.ask_style import prompt_options

        self.q = questionary
        self.options = prompt_options()
        self._merge = merge_key_bindings
        self._keys = KeyBindings
        self.back = False  # Esc and "← back" return to the previous question (only while the steps are asked)

    def _run(self, question: Any, *, more_key: bool = False) -> Any:
        _wrap_descriptions(question)
        keys = self._keys()

        if self.back:

            @keys.add("escape")
            def _back(event: Any) -> None:
                event.app.exit(result=BACK)

        @keys.add("c-d", eager=True)
        def _end_of_input(event: Any) -> None:
            event.app.exit(exception=EOFError, style="class:aborting")

        if more_key:

            @keys.add("?", eager=True)
            def _more(event: Any) -> None:
                event.app.exit(result=MORE)

        app = question.application
        app.key_bindings = self._merge([app.key_bindings, keys]) if app.key_bindings else keys
        answer = question.unsafe_ask()
        if answer is BACK:
            raise _Back
        return answer

    def select(self, message: str, choices: list[Any], default: Any, instruction: str) -> Any:
        if self.back:  # before "more…", which stays last (one key up from the top)
            back = self.q.Choice("← back (the previous question; or Esc)", value=BACK)
            last = choices[-1:] if choices and getattr(choices[-1], "value", None) is MORE else []
            choices = [*choices[: len(choices) - len(last)], back, *last]
        question = self.q.select(message, choices, default=default, instruction=instruction, **self.options)
        return self._run(question, more_key=True)

    def checkbox(self, message: str, choices: list[Any], instruction: str) -> Any:
        question = self.q.checkbox(message, choices, instruction=instruction, **self.options)
        return self._run(question, more_key=True)

    def text(
        self, message: str, default: str, validate: Callable[[str], Any], instruction: str = "", more_key: bool = False
    ) -> Any:
        """The typed text, or MORE when `more_key` and `?` was pressed (even with a pre-filled default)."""
        question = self.q.text(message, default=default, validate=validate, instruction=instruction, **self.options)
        return self._run(question, more_key=more_key)

    def confirm(self, message: str, default: bool, more_key: bool = False) -> Any:
        """True or False, or MORE when `more_key` and `?` was pressed."""
        return self._run(self.q.confirm(message, default=default, **self.options), more_key=more_key)

    def choice(self, title: str, value: Any, description: object = None, checked: bool = False) -> Any:
        # a _Deferred description is formatted like a str, which is all questionary does with it
        return self.q.Choice(title, value=value, description=cast("str | None", description), checked=checked)


class _Deferred:
    """An option's description, worked out the first time it is shown.

    questionary formats only the highlighted option's description, so the first question appears
    without rendering a deployment for every option (eleven on the platform question)."""

    def __init__(self, make: Callable[..., str], *args: Any) -> None:
        self.make, self.args = make, args
        self.text: str | None = None

    def __str__(self) -> str:
        if self.text is None:
            self.text = self.make(*self.args)
        return self.text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _wrap_descriptions(question: Any) -> None:
    """questionary draws the options and the highlighted one's description in one window that cuts lines
    at the terminal's width; the trade-off is the end of the description, so wrap instead. The same for a
    text answer's validation message, which prompt_toolkit shows in one line of fixed height."""
    from prompt_toolkit.filters import to_filter
    from prompt_toolkit.layout.controls import FormattedTextControl
    from questionary.prompts.common import InquirerControl

    for window in question.application.layout.find_all_windows():
        if isinstance(window.content, InquirerControl):
            window.wrap_lines = to_filter(True)
        elif isinstance(window.content, FormattedTextControl) and _is_validation_message(window.content):
            window.wrap_lines = to_filter(True)
            window.height = None  # as many lines as the wrapped message needs


def _is_validation_message(control: Any) -> bool:
    # prompt_toolkit's ValidationToolbar keeps no reference to its window; its text function names it.
    return getattr(control.text, "__qualname__", "").startswith("ValidationToolbar.")


class _Walk:
    """One run of the wizard: the questions, the preview, the confirmation and the write."""

    def __init__(self, prompts: _Prompts, out: TextIO) -> None:
        self.prompts = prompts
        self.out = out
        self.steps: NextSteps | None = None  # the bundle's own steps, when it was built from the user's file

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self, answers: Answers, output: Path | None, target: str, base: Path | None = None) -> int:
        self.say("ddsecure: least-privilege Datadog Agent, one step at a time.")
        self.say("Enter keeps the marked default; '?' or 'more…' explains a question; Esc goes back; Ctrl-C quits.")
        asked: list[int] = []  # indexes in STEPS of the steps answered, for going back
        index = 0
        self.prompts.back = True
        while True:
            answers, index = self.ask_steps(answers, asked, index)
            self.summary(answers)
            try:
                target = self.ask_target(target)
            except _Back:
                index = asked.pop()
                continue
            break
        self.prompts.back = False

        # Imported only now (with the model behind it) so that the first question appears sooner.
        from tui.core.output.bundle import build_bundle, bundle_diff, existing_files, write_bundle

        directory = output if output is not None else self.ask_directory()
        if base is None and output is None and target != "operator":  # the export questions, when -o was not given
            base = self.ask_base()
        files = (
            build_bundle(answers, target=target) if base is None else self.based_files(answers, base, target, directory)
        )
        if not self.prompts.confirm(f"Write {len(files)} files to {directory}?", default=True):
            self.say("Nothing written.")
            return EXIT_OK
        force = False
        present = existing_files(directory)
        if present and bundle_diff(files, directory):
            shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
            if not self.prompts.confirm(
                f"{directory} already holds files ({shown}). Replace the bundle's files there?", default=False
            ):
                self.say("Nothing written.")
                return EXIT_OK
            force = True
        written = write_bundle(files, directory, force=force)
        self.say(f"Wrote {len(written)} files to {directory}:")
        for path in written:
            self.say(f"  {path.name}")
        from tui.core.output.next_steps import next_steps

        self.say("Next:")
        for line in (self.steps or next_steps(answers, target)).lines(directory):
            self.say(f"  {line}")
        return EXIT_OK

    def ask_steps(self, answers: Answers, asked: list[int], index: int) -> tuple[Answers, int]:
        """Ask STEPS from `index` on; Esc or "← back" returns to the last step asked (its answer is kept as
        the default). Numbers count the questions asked: [3/12] is the third, of twelve with these answers."""
        while index < len(STEPS):
            step = STEPS[index]
            # Re-checked after every answer: e.g. origin detection is moot once DogStatsD is off.
            if not step.applies(answers):
                index += 1
                continue
            remaining = sum(1 for later in STEPS[index:] if later.applies(answers))
            number = f"[{len(asked) + 1}/{len(asked) + remaining}]"
            try:
                answers = self.ask_step(step, answers, number)
            except _Back:
                if asked:
                    index = asked.pop()
                else:
                    self.say("This is the first question.")
                continue
            asked.append(index)
            index += 1
        return answers, index

    # --- one step ---------------------------------------------------------------------------------

    def ask_step(self, step: Step, answers: Answers, number: str) -> Answers:
        if step.kind == CHECKLIST:
            return self.ask_checklist(step, answers, f"{number} {step.question}")
        if step.kind == FORM:
            return self.ask_form(step, answers, number)
        return self.ask_decision(step.decisions[0], answers, number)

    def ask_checklist(self, step: Step, answers: Answers, message: str) -> Answers:
        """Boolean decisions as one checkbox: ticked is true. `?` explains every one of them."""
        # Only features the platform lets be turned on (none is refused today; the check keeps it so).
        decisions = [d for d in step.applicable(answers) if any(o.value is True for o in d.options_for(answers))]
        while True:
            choices = []
            for decision in decisions:
                on = bool(getattr(answers, decision.id))
                feature = decision.option(True)
                assert feature is not None  # a boolean decision has an option for true
                title = f"{decision.title} — {worded(feature.summary, answers)}" + (" (default)" if on else "")
                description = self.trade_off(decision, feature, answers, not on)
                choices.append(self.prompts.choice(title, decision.id, description, checked=on))
            shown = ", ".join(d.title for d in decisions if getattr(answers, d.id)) or "none"
            instruction = f"(Space toggles, Enter accepts; default: {shown}; ? explains)"
            ticked = self.prompts.checkbox(message, choices, instruction=instruction)
            if ticked is MORE:
                self.say()
                # Imported here for start-up speed: the explanation computes deployments (the chart model).
                from tui.core.output.explain import explain_step

                self.say(explain_step(step, answers))
                continue
            try:
                return answers.replace(**{d.id: d.id in ticked for d in decisions})
            except AnswerError as refused:  # as for one decision: say why, ask again
                self.say(f"Not possible with your other answers: {refused}")

    def ask_form(self, step: Step, answers: Answers, number: str) -> Answers:
        """Offer the current answers as they are; on "no", ask each of them as its own question."""
        message = f"{number} Keep these {step.title.lower()}? {step.summary(answers)}"
        while True:
            keep = self.prompts.confirm(message, default=True, more_key=True)
            if keep is not MORE:
                break
            self.say()
            # Imported here for start-up speed: the explanation computes deployments (the chart model).
            from tui.core.output.explain import explain_step

            self.say(explain_step(step, answers))
        if keep:
            return answers
        for decision in step.applicable(answers):
            answers = self.ask_decision(decision, answers, number)
        return answers

    # --- one decision -----------------------------------------------------------------------------

    def ask_decision(self, decision: Decision, answers: Answers, step: str) -> Answers:
        message = f"{step} {decision.question}"
        while True:
            if decision.kind == "text":
                value = self.ask_text(decision, answers, message)
            elif decision.kind == "multi":
                value = self.ask_multi(decision, answers, message)
            else:
                value = self.ask_choice(decision, answers, message)
            if value is MORE:
                self.say()
                # Imported here for start-up speed: the explanation computes deployments (the chart model).
                from tui.core.output.explain import explain

                self.say(explain(decision, answers))
                continue
            try:
                return answers.replace(**{decision.id: value})
            except AnswerError as refused:  # e.g. eBPF features with a pre-set Kubernetes 1.29: ask again
                self.say(f"Not possible with your other answers: {refused}")

    def ask_choice(self, decision: Decision, answers: Answers, message: str) -> Any:
        current = getattr(answers, decision.id)
        options = decision.options_for(answers)  # only what the platform accepts
        choices = [self.option_choice(decision, option, answers, current) for option in options]
        choices.append(self.prompts.choice("more… (explain every option)", MORE))
        return self.prompts.select(message, choices, default=current, instruction="(↑/↓, Enter; ? explains)")

    def option_choice(self, decision: Decision, option: Option, answers: Answers, current: Any) -> Any:
        marks = []
        if option.value == current:
            marks.append("default")
        if option.value == decision.default and decision.default != current:
            marks.append("least privilege")
        title = option.label if option.summary == option.label else f"{option.label} — {option.summary}"
        if marks:
            title += f" ({', '.join(marks)})"
        description = _Deferred(self.trade_off, decision, option, answers, option.value)
        return self.prompts.choice(title, option.value, description)

    def ask_multi(self, decision: Decision, answers: Answers, message: str) -> Any:
        current = tuple(getattr(answers, decision.id))
        choices = []
        for option in decision.options_for(answers):
            chosen = option.value in current
            toggled = tuple(v for v in current if v != option.value) if chosen else (*current, option.value)
            title = f"{option.label} — {option.summary}"
            if option.value in current:
                title += " (default)"
            description = _Deferred(self.trade_off, decision, option, answers, toggled)
            choices.append(self.prompts.choice(title, option.value, description, checked=option.value in current))
        shown = ", ".join(current) if current else "none"
        instruction = f"(Space toggles, Enter accepts; default: {shown}; ? explains)"
        return self.prompts.checkbox(message, choices, instruction=instruction)

    def ask_text(self, decision: Decision, answers: Answers, message: str) -> str | _More:
        current = decision.shown_value(answers)

        def validate(text: str) -> bool | str:
            if text.strip() == "?":
                return True
            try:
                answers.replace(**{decision.id: text.strip()})
            except AnswerError as error:
                return str(error)
            return True

        shown = "empty" if current is None else format_value(current)
        value = self.prompts.text(
            message,
            default="" if current is None else format_value(current),
            validate=validate,
            instruction=f"(Enter keeps {shown}; ? explains)",
            more_key=True,
        )
        return value if value is MORE else value.strip()

    @staticmethod
    def trade_off(decision: Decision, option: Option, answers: Answers, value: Any) -> str:
        """One line: the option's privilege cost, then what changes compared with the current answers."""
        parts = []
        if option.costs:
            parts.append(f"costs: {option.costs}")
        if getattr(answers, decision.id) == value:
            # nothing to compare, so the first question (highlighting the current choice) needs no model
            parts.append("current choice")
            return "; ".join(parts)
        from tui.core.output.what_if import option_delta

        delta = option_delta(answers, decision.id, value)
        parts.append("changes: " + ", ".join(delta) if delta else "no privilege change")
        return "; ".join(parts)

    # --- the end ----------------------------------------------------------------------------------

    def summary(self, answers: Answers) -> None:
        from tui.core.deployment import Deployment

        self.say()
        self.say("Your answers:")
        values = answers.as_dict()
        width = max(map(len, values))
        for key in values:
            self.say(f"  {key:<{width}}  {DECISIONS_BY_ID[key].answer_text(answers)}")
        self.say()
        self.say("Privileges the Agent pod keeps:")
        for line in Deployment.of(answers).ledger.summary_lines():
            self.say(f"  {line}")
        from tui.core.output.cluster_report import summary_lines as cluster_summary_lines

        self.say("Cluster-level privileges (RBAC of the Agent and the Cluster Agent):")
        for line in cluster_summary_lines(Deployment.of(answers).cluster):
            self.say(f"  {line}")
        self.say()

    def ask_target(self, target: str) -> str:
        """Helm, Operator or both: the same choice as `--target` (its value is the default)."""
        from tui.core.output.next_steps import TARGET_HELP, TARGET_LABELS, TARGET_SUMMARIES

        choices = [
            self.prompts.choice(
                f"{label} — {TARGET_SUMMARIES[value]}" + (" (default)" if value == target else ""), value
            )
            for value, label in TARGET_LABELS.items()
        ]
        while True:
            chosen = self.prompts.select(
                "What should the bundle install the Agent with?",
                choices,
                default=target,
                instruction="(↑/↓, Enter; ? explains)",
            )
            if chosen is not MORE:
                return str(chosen)
            self.say()
            self.say(TARGET_HELP)

    def ask_base(self) -> Path | None:
        """Start from the user's own values file (edited in place, nothing of it lost) or write a new one."""

        def validate(text: str) -> bool | str:
            path = Path(text.strip()).expanduser()
            return True if not text.strip() or path.is_file() else f"{path} is not a file"

        text = self.prompts.text(
            "Start from your own values file? (its path; Enter: write a new values.yaml)", default="", validate=validate
        )
        return Path(text.strip()).expanduser() if text.strip() else None

    def based_files(self, answers: Answers, base: Path, target: str, directory: Path) -> dict[str, str]:
        from tui.core.audit.fixed_bundle import based_bundle
        from tui.core.yamlio.reader import read_text

        files, fixed, _ = based_bundle(answers, read_text(base), str(base), (), target, directory)
        self.steps = fixed.next_steps  # a wrapper's controller installs the chart its own way
        self.say(f"values.yaml is {base}, edited; each of these answers' settings:")
        for outcome in fixed.outcomes:
            self.say(f"  {outcome.finding.key}: {outcome.summary()}")
        for line in fixed.additions:
            self.say(f"  added to your file: {line}")
        return files

    def ask_directory(self) -> Path:
        def validate(text: str) -> bool | str:
            if not text.strip():
                return "enter a directory"
            path = Path(text.strip()).expanduser()
            if path.exists() and not path.is_dir():
                return f"{path} exists and is not a directory"
            return True

        text = self.prompts.text("Directory for the bundle?", default=f"./{DEFAULT_OUTPUT}", validate=validate)
        return Path(text.strip()).expanduser()

"""Usage errors as a person reads them: one "mailcheck: error:" prefix (the CLI adds it), the
subcommand named, the nearest option or command for a typo, a description on every --help."""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Sequence
from typing import NoReturn

from mailcheck.base.errors import UsageError


class ArgumentParser(argparse.ArgumentParser):
    """argparse exits 2 on bad arguments, which means "delivery failure" here: raise instead."""

    def error(self, message: str) -> NoReturn:
        """Turn argparse's complaint into a ``UsageError`` naming the subcommand (the CLI adds
        "mailcheck: error:") and suggesting the nearest option or command for a typo."""
        where = self.prog.removeprefix("mailcheck").strip()
        raise UsageError(f"{where}: {message}" if where else message) from None

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """See ``argparse.ArgumentParser.parse_args``; typos get a "did you mean" hint."""
        try:
            return super().parse_args(args, namespace)
        except UsageError as exc:
            hint = suggestion(str(exc), self)
            if not hint:
                raise
            raise UsageError(f"{exc} (did you mean {hint}?)") from None


_UNRECOGNIZED = re.compile(r"unrecognized arguments: (.*)$")
_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)$")


def suggestion(message: str, parser: argparse.ArgumentParser) -> str:
    """The nearest option (anywhere in the command tree) or choice to what was mistyped."""
    choice = _CHOICE.search(message)
    if choice:
        known: list[str] = re.findall(r"'([^']*)'", choice.group(2))
        return " or ".join(difflib.get_close_matches(choice.group(1), known, n=1))
    unrecognized = _UNRECOGNIZED.search(message)
    if not unrecognized:
        return ""
    options = sorted(option_strings(parser))
    words: list[str] = unrecognized.group(1).split()
    for word in words:
        if word.startswith("--"):
            near = difflib.get_close_matches(word.split("=", 1)[0], options, n=1, cutoff=0.7)
            if near:
                return near[0]
    return ""


def option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every long option of ``parser`` and of all its subcommands."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= option_strings(sub)
    return found


def describe_subcommands(parser: argparse.ArgumentParser) -> None:
    """Every subcommand's ``--help`` opens with a description: its one-line help if no more."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, sub in action.choices.items():
            if not sub.description and helps.get(name):
                text = str(helps[name])
                sub.description = f"{text[0].upper()}{text[1:]}."
            describe_subcommands(sub)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (limits, ids, concurrency)."""
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)

"""A cursor over RFC 5322 structured field values: comments (nested), quoted strings and
folding white space, as Authentication-Results (RFC 8601 §2.2) uses them."""

from __future__ import annotations

import re

KEYWORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_TOKEN = re.compile(r"[^\s;()\"\\:,<>\[\]/=@?]+")


class SyntaxFault(Exception):  # noqa: N818 (internal control flow, never leaves the parser)
    """Where and why a value stopped making sense; caught by the parser that uses Scanner."""


class Scanner:
    """A cursor over the value with RFC 5322 comment and quoted-string handling."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.last = ""

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def skip(self, char: str) -> bool:
        if self.peek() == char:
            self.pos += 1
            return True
        return False

    def expect(self, char: str) -> None:
        if not self.skip(char):
            found = self.peek() or "end of value"
            raise SyntaxFault(f"expected {char!r}, found {found!r}")

    def match(self, pattern: re.Pattern[str]) -> bool:
        found = pattern.match(self.text, self.pos)
        if found is None:
            return False
        self.last, self.pos = found.group(0), found.end()
        return True

    def match_word(self, word: str) -> bool:
        end = self.pos + len(word)
        if self.text[self.pos : end].lower() != word:
            return False
        if end < len(self.text) and (self.text[end].isalnum() or self.text[end] in "-_.="):
            return False
        self.pos = end
        return True

    def peek_method(self) -> bool:
        """A keyword followed (after CFWS) by '=' or '/': a resinfo, not an authserv-id."""
        return self._after_keyword() in ("=", "/")

    def peek_instance(self) -> bool:
        return self.text[self.pos : self.pos + 1].lower() == "i" and self._after_keyword() == "="

    def _after_keyword(self) -> str:
        start = self.pos
        try:
            if not self.match(KEYWORD):
                return ""
            self.cfws()
            return self.peek()
        except SyntaxFault:
            return ""
        finally:
            self.pos = start

    def authserv_id(self) -> str:
        if self.peek() == '"':
            return self.quoted()
        if not self.match(_TOKEN):
            raise SyntaxFault("expected an authserv-id")
        return self.last

    def quoted(self) -> str:
        self.expect('"')
        out: list[str] = []
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\" and not self.at_end():
                char = self.text[self.pos]
                self.pos += 1
            out.append(char)
        raise SyntaxFault("unterminated quoted string")

    def cfws(self) -> str | None:
        """Skip folding white space and comments; return the text of the first comment."""
        first: str | None = None
        while not self.at_end():
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "(":
                text = self._comment()
                first = text if first is None else first
            else:
                break
        return first

    def _comment(self) -> str:
        start, depth = self.pos + 1, 0
        while not self.at_end():
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                self.pos += 1
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return self.text[start : self.pos - 1].strip()
        raise SyntaxFault("unterminated comment")

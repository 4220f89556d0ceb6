"""Rendering a sink's received messages: the terminal line, text list and detail, and HTML.

The one place the stored analysis (``smtp.analysis.SinkAnalysis.to_json``) is turned into
words. Everything in a row came from SMTP clients and DNS, so it is untrusted: text output
escapes control characters, and the HTML is rendered by Jinja2 with autoescaping under a
strict Content-Security-Policy.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from mailcheck.report.html import TEMPLATES, content_security_policy

MAX_SOURCE = 256 * 1024  # raw source shown per message; the file keeps the rest


def clean(value: object) -> str:
    """One printable line: control and non-printable characters as ``\\xNN`` escapes."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(value)
    )


class LogFormatter(logging.Formatter):
    """Log records of a running sink carry client bytes (commands, HELO names): escaped, so
    a client cannot retitle or clear the terminal (``ESC ] 0 ;`` ..., ``ESC [ 2 J``)."""

    def format(self, record: logging.LogRecord) -> str:
        """See ``logging.Formatter.format``; every line escaped on its own."""
        return "\n".join(clean(line) for line in super().format(record).split("\n"))


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) + "Z"


def _done(analysis: dict[str, Any] | None) -> bool:
    return analysis is not None and analysis.get("schema") == 2 and "spf" in analysis


def auth_summary(analysis: dict[str, Any] | None) -> str:
    """``dkim=… spf=… dmarc=… sender=… ip=…``, or why there is no analysis."""
    if not analysis:
        return "not analysed yet"
    if not _done(analysis):
        why = analysis.get("skipped") or analysis.get("error")
        return str(why or "analysed by an older mailcheck: no results in this format")
    dkim = ",".join(f"{d['result']}({d['domain']})" for d in analysis["dkim"]) or "none"
    dmarc = (analysis["dmarc"] or {}).get("result", "none")
    parts = [f"dkim={dkim}", f"spf={analysis['spf']['result']}", f"dmarc={dmarc}"]
    profile = analysis.get("profile")
    if profile:
        parts.append(f"sender={profile['sender']}")
        parts.append(f"ip={profile['network'] or 'not in profile'}")
    return " ".join(parts)


def verdict(analysis: dict[str, Any] | None) -> str:
    """The one-line summary for lists: SUSPICIOUS first when ``analyze`` would fail it."""
    text = auth_summary(analysis)
    return f"SUSPICIOUS {text}" if analysis and analysis.get("suspicious") else text


def terminal_line(row: dict[str, Any]) -> str:
    """The line the running sink prints for one accepted and analysed message."""
    rcpts = ",".join(row["rcpt_to"])
    return clean(
        f"{_when(row['received_at'])} {row['client_ip']} <{row['mail_from']}> -> {rcpts} "
        f"{row['size']} B {verdict(row['analysis'])}"
    )


@dataclass
class Tally:
    """Counts for the overall line and the sink's summary on stop."""

    messages: int = 0
    authenticated: int = 0
    suspicious: int = 0
    unanalysed: int = 0

    def add(self, analysis: dict[str, Any] | None) -> None:
        """Count one message."""
        self.messages += 1
        if not _done(analysis):
            self.unanalysed += 1
            return
        assert analysis is not None
        self.authenticated += bool(analysis.get("authenticated"))
        self.suspicious += bool(analysis.get("suspicious"))

    def line(self) -> str:
        """``N messages, M authenticated (DMARC pass), K suspicious``."""
        text = (
            f"{self.messages} message{'s' * (self.messages != 1)}, "
            f"{self.authenticated} authenticated (DMARC pass), {self.suspicious} suspicious"
        )
        return text + (f", {self.unanalysed} not analysed" if self.unanalysed else "")


def tally(rows: Sequence[dict[str, Any]]) -> Tally:
    """The counts over ``rows``."""
    out = Tally()
    for row in rows:
        out.add(row["analysis"])
    return out


def text_list(rows: Sequence[dict[str, Any]]) -> str:
    """One line per message, newest first, with its subject."""
    if not rows:
        return "no messages\n"
    lines = []
    for row in rows:
        rcpts = ",".join(row["rcpt_to"])
        subject = (row["analysis"] or {}).get("subject") or ""
        lines.append(
            clean(
                f"{row['id']:>6}  {_when(row['received_at'])}  {row['client_ip']:<15}  "
                f"<{row['mail_from']}> -> {rcpts}  {row['size']} B  "
            )
            + f'"{clean(subject[:60])}"  {clean(verdict(row["analysis"]))}'
        )
    return "\n".join(lines) + "\n"


def text_show(row: dict[str, Any]) -> str:
    """Every stored fact about one message."""
    lines = [
        f"message {row['id']}  ({row['key']})",
        f"  file:        {clean(row.get('path') or 'missing')}",
        f"  received:    {_when(row['received_at'])}",
        f"  client:      {row['client_ip']}:{row['client_port']}"
        + (f" (via PROXY from {row['proxied_from']})" if row["proxied_from"] else ""),
        f"  HELO:        {clean(row['helo'])}",
        f"  TLS:         {clean(row['tls'] or 'none')}",
        f"  MAIL FROM:   <{clean(row['mail_from'])}>",
        *(f"  RCPT TO:     <{clean(r)}>" for r in row["rcpt_to"]),
        f"  size:        {row['size']} octets, sha256 {row['sha256']}",
        f"  verdict:     {clean(verdict(row['analysis']))}",
    ]
    analysis = row["analysis"]
    if _done(analysis):
        lines += _auth_lines(analysis)
    return "\n".join(lines) + "\n"


def _auth_lines(analysis: dict[str, Any]) -> list[str]:
    lines = [
        f"  From:        {clean(analysis['from'] or '(no usable address)')}",
        f"  Subject:     {clean(analysis['subject'] or '')}",
    ]
    for d in analysis["dkim"]:
        lines.append(
            clean(f"  DKIM:        {d['result']} d={d['domain']} s={d['selector']} {d['reason']}")
        )
    spf = analysis["spf"]
    lines.append(clean(f"  SPF:         {spf['result']} {spf['domain']}: {spf['explanation']}"))
    dmarc = analysis["dmarc"]
    if dmarc:
        lines.append(clean(f"  DMARC:       {dmarc['result']} {dmarc['explanation']}"))
    profile = analysis.get("profile")
    if profile:
        lines.append(
            clean(
                f"  profile:     {profile['id']}: sender={profile['sender']} "
                f"({profile['from_sender'] or 'no entry'}), "
                f"ip={profile['network'] or 'not in profile'}"
            )
        )
    for f in analysis["findings"]:
        lines.append(clean(f"  {f['code']} {f['status']:<5}  {f['summary']}"))
    return lines


def json_dump(data: object) -> str:
    """Stable, indented JSON."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def html_list(rows: Sequence[dict[str, Any]], maildir: str) -> str:
    """A self-contained HTML page of received messages, one section per message (its raw
    source is ``row["source"]`` when the caller read it), in the main report's style."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    env.filters["when"] = _when
    env.filters["state"] = _state
    env.filters["summary"] = auth_summary
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    css += (TEMPLATES / "sink.css").read_text(encoding="utf-8")
    return env.get_template("sink.html").render(
        rows=rows,
        overall=tally(rows).line(),
        maildir=maildir,
        title=f"mailcheck sink: {maildir}",
        csp=content_security_policy(css, ""),
        css=Markup(css),  # our own stylesheet, not data: emitted exactly as hashed
    )


def _state(result: object) -> str:
    """The badge colour for an authentication result."""
    return {
        "pass": "pass",
        "fail": "fail",
        "softfail": "warn",
        "warn": "warn",
        "error": "error",
        "temperror": "error",
        "permerror": "error",
    }.get(str(result), "none")

"""Rendering a sink's received messages: text list, text/JSON detail, and an HTML page.

The rows come from the sink index (plain JSON-compatible dicts). Everything in them came from
SMTP clients and DNS, so it is untrusted: text output strips control characters, and the HTML
is rendered by Jinja2 with autoescaping under a strict Content-Security-Policy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from mailcheck.report.html import TEMPLATES, content_security_policy


def _clean(value: object) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in str(value))


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) + "Z"


def text_list(rows: Sequence[dict[str, Any]]) -> str:
    """One line per message, newest first."""
    if not rows:
        return "no messages\n"
    lines = []
    for row in rows:
        rcpts = ",".join(row["rcpt_to"])
        lines.append(
            f"{row['id']:>6}  {_when(row['received_at'])}  {row['client_ip']:<15}  "
            f"<{_clean(row['mail_from'])}> -> {_clean(rcpts)}  {row['size']} B  "
            f"{_clean(verdict(row['analysis']))}"
        )
    return "\n".join(lines) + "\n"


def text_show(row: dict[str, Any]) -> str:
    """Every stored fact about one message."""
    lines = [
        f"message {row['id']}  ({row['key']})",
        f"  file:        {_clean(row.get('path') or 'missing')}",
        f"  received:    {_when(row['received_at'])}",
        f"  client:      {row['client_ip']}:{row['client_port']}"
        + (f" (via PROXY from {row['proxied_from']})" if row["proxied_from"] else ""),
        f"  HELO:        {_clean(row['helo'])}",
        f"  TLS:         {_clean(row['tls'] or 'none')}",
        f"  MAIL FROM:   <{_clean(row['mail_from'])}>",
        *(f"  RCPT TO:     <{_clean(r)}>" for r in row["rcpt_to"]),
        f"  size:        {row['size']} octets, sha256 {row['sha256']}",
        f"  verdict:     {_clean(verdict(row['analysis']))}",
    ]
    analysis = row["analysis"] or {}
    if "header_from" in analysis:
        lines.append(f"  From:        {_clean(analysis['header_from'] or '(no usable address)')}")
    for result in analysis.get("dkim", []):
        lines.append(
            f"  DKIM:        {result['result']} d={_clean(result['domain'])} "
            f"s={_clean(result['selector'])} {_clean(result['detail'])}".rstrip()
        )
    for name in ("spf", "dmarc"):
        if name in analysis:
            part = analysis[name]
            lines.append(
                f"  {name.upper() + ':':<12} {part.get('result')} {_clean(part.get('detail', ''))}"
            )
    return "\n".join(lines) + "\n"


def json_dump(data: object) -> str:
    """Stable, indented JSON."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def html_list(rows: Sequence[dict[str, Any]], maildir: str) -> str:
    """A self-contained HTML page of received messages, in the main report's style."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["when"] = _when
    env.filters["state"] = _state
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return env.get_template("sink.html").render(
        rows=rows,
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
        "temperror": "error",
        "permerror": "error",
    }.get(str(result), "none")


def verdict(analysis: dict[str, Any] | None) -> str:
    """A one-line summary for lists and reports."""
    if not analysis:
        return "not analysed yet"
    if "skipped" in analysis or "error" in analysis:
        return str(analysis.get("skipped") or analysis.get("error"))
    dkim_part = ",".join(f"{r['result']}({r['domain']})" for r in analysis["dkim"]) or "none"
    parts = [f"dkim={dkim_part}", f"spf={analysis['spf'].get('result', '?')}"]
    parts.append(f"dmarc={analysis['dmarc'].get('result', '?')}")
    profile = analysis.get("profile")
    if profile:
        parts.append(f"sender={'yes' if profile['from_sender'] else 'no'}")
        parts.append(f"ip={profile['network'] or 'not in profile'}")
    return " ".join(parts)

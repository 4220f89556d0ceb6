"""Renderers: ``Report`` in, text out. ``ReportFormat`` picks one; each lives in its own module."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from mailcheck.base.model import Report


class Renderer(Protocol):
    """Turns a report into text; never chooses where it goes and never touches DNS."""

    def render(self, report: Report) -> str:
        """The whole rendered document."""
        ...


class ReportFormat(StrEnum):
    """Output formats; the value is the CLI spelling."""

    TEXT = "text"
    JSON = "json"
    HTML = "html"
    JSONL = "jsonl"  # one compact line per report: many messages, streamed

    def renderer(self, *, color: bool = False) -> Renderer:
        """The renderer for this format."""
        from mailcheck.report.html import HtmlRenderer
        from mailcheck.report.json import JsonLinesRenderer, JsonRenderer
        from mailcheck.report.text import TextRenderer

        match self:
            case ReportFormat.TEXT:
                return TextRenderer(color=color)
            case ReportFormat.JSON:
                return JsonRenderer()
            case ReportFormat.HTML:
                return HtmlRenderer()
            case ReportFormat.JSONL:
                return JsonLinesRenderer()


__all__ = ["Renderer", "ReportFormat"]

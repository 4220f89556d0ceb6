"""Typed facts: what each check gathered, as frozen dataclasses (one module per check).

The pure decisions in ``checks/`` and their I/O halves import these, and so do the renderers
(``report/``, ``snippets/``), which therefore import no check module. These modules import
``mailcheck.base.model`` and the standard library only. JSON is made from them in one place,
``mailcheck.report.json``, with ``jsonable`` (which the sink's stored analysis, below the
report, uses too). The audit's facts live here (``audit``); the message check's
``MessageFacts`` live beside the analysis core (``mailcheck.message.facts``), whose types
they are built from.
"""

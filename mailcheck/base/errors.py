"""The one error tree of mailcheck; the CLI catches only ``MailcheckError``.

MailcheckError          root
 ├─ InputError          a value given to the library is unusable (``field`` says which)
 │   └─ AllowlistError      an allowlist file given to ``audit`` cannot be read as one
 ├─ UsageError          bad command-line arguments (raised only by ``cli/``)
 ├─ ProfileError        a bad or missing rules file
 │   └─ SnippetError        a profile value a filter's syntax cannot express safely
 ├─ DnsError            a lookup could not complete (never "record missing")
 │   ├─ DnsTimeoutError     no answer within the time limit
 │   └─ DnsServerError      the server answered SERVFAIL, REFUSED or another error rcode
 │   └─ DnsNotRecordedError replay asked for a lookup the snapshot does not hold
 ├─ SnapshotError       a snapshot file is unreadable or malformed
 ├─ SmtpError           the sink or probe could not bind, connect or store
 └─ ReportError         an output path cannot be written
"""

from __future__ import annotations


class MailcheckError(Exception):
    """Root of every error mailcheck raises on purpose."""

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled as message and attributes, not constructor arguments (subclasses take other
        # ones), so an error crosses to and from the analysis worker processes intact.
        return (_restore, (type(self), str(self), dict(self.__dict__)))


def _restore(cls: type[MailcheckError], message: str, state: dict[str, object]) -> MailcheckError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class InputError(MailcheckError):
    """A value given to the library cannot be used. ``field`` names which one and ``detail``
    says why, so a front end can name its own argument (the CLI names the flag)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail


class UsageError(MailcheckError):
    """Bad command-line arguments."""


class AllowlistError(InputError):
    """An allowlist file is unreadable, too large, binary or in an unknown encoding."""

    def __init__(self, detail: str, field: str = "allowlist") -> None:
        super().__init__(field, detail)


class ProfileError(MailcheckError):
    """A rules file is missing, unreadable or invalid; the message names file and key."""


class SnippetError(ProfileError):
    """A snippet refuses the profile: a value its syntax cannot carry safely, or an unsafe ask."""


class DnsError(MailcheckError):
    """A DNS lookup could not complete. Data outcomes (NXDOMAIN, no data) are not errors."""

    def __init__(self, name: str, rrtype: str, reason: str) -> None:
        super().__init__(f"{name}/{rrtype}: {reason}")
        self.name = name
        self.rrtype = rrtype
        self.reason = reason


class DnsTimeoutError(DnsError):
    """No server answered in time."""


class DnsServerError(DnsError):
    """The server answered with an error rcode such as SERVFAIL or REFUSED."""

    def __init__(self, name: str, rrtype: str, rcode: str) -> None:
        super().__init__(name, rrtype, f"server answered {rcode}")
        self.rcode = rcode


class DnsNotRecordedError(DnsError):
    """Replay asked for a lookup that the snapshot does not hold."""


class SnapshotError(MailcheckError):
    """A snapshot file cannot be read, or is not a mailcheck snapshot."""


class SpfSyntaxError(MailcheckError):
    """An SPF record or macro-string breaks the RFC 7208 grammar (a permerror)."""


class SmtpError(MailcheckError):
    """The SMTP sink or probe could not bind, connect or store."""


class ReportError(MailcheckError):
    """An output path cannot be written."""

"""The start/stop lifecycle shared by the servers tests run in the background."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class BackgroundServer(ABC):
    """A server (thread or child process) with bounded ``start``/``stop``; a context manager."""

    @abstractmethod
    def start(self) -> None:
        """Start serving, or raise if the server did not come up in time."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving and release everything; safe to call twice."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

"""The errors every layer raises, in one place. Services raise NotFound, Refused and Invalid with an
i18n key the page shows as is; the unchecked building blocks (db/repo, the CLI) raise RepoError
with a sentence for the operator."""

from __future__ import annotations


class NotFound(LookupError):
    """No such thing, or one the user may not see: the two look the same, so a foreign id leaks nothing."""


class Refused(PermissionError):
    """The user may see this but not do that; the message is an i18n key."""


class Invalid(ValueError):
    """Bad input; the message is an i18n key (details in .values)."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.values = values


class RepoError(ValueError):
    """Bad input for an unchecked write (CLI, seed, import); the message is shown to the operator as is."""


class Unreachable(ConnectionError):
    """The database could not be reached (down, restarting, cut off): nothing was kept, and the
    same call may succeed once it is back. Raised by the unit of work (services/uow.py)."""

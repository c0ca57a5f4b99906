"""Every exception TellOnce raises on purpose lives here."""


class TellOnceError(Exception):
    """Base class for TellOnce's own errors."""


class ConfigurationError(TellOnceError):
    """An environment variable or configuration file has an unusable value."""


class InvalidNHSNumber(TellOnceError, ValueError):
    """Text that is not a well-formed NHS number (10 digits, Modulus 11)."""


class InvalidDate(TellOnceError, ValueError):
    """Text that is not a date in a format we accept, or an impossible date."""


class LexiconError(TellOnceError):
    """The red-flag lexicon file is malformed."""


class RejectedInput(TellOnceError, ValueError):
    """Input a channel must refuse; ``code`` and ``status`` go back to the client."""

    def __init__(self, code: str, status: int, detail: str) -> None:
        super().__init__(detail)
        self.code, self.status, self.detail = code, status, detail


class TranslationUnavailable(TellOnceError):
    """No translation could be had in time: no provider, circuit open, or it failed."""


class DeliveryFailed(TellOnceError):
    """A notification could not be delivered this time.

    ``kind`` names the failure (exception class, SMTP code) without any message content;
    ``permanent`` means retrying cannot help (the server refused the recipient)."""

    def __init__(self, kind: str, permanent: bool = False) -> None:
        super().__init__(kind)
        self.kind, self.permanent = kind, permanent


class CaseNotFound(TellOnceError, LookupError):
    """No handoff case (or coordinator) with that identifier."""


class CaseConflict(TellOnceError):
    """The case is not in a state that allows this (claimed by someone else, closed, not claimed)."""


class MessageFailed(TellOnceError):
    """A patient message could not be handled; it was logged (without its text) where it failed.

    ``language`` is the conversation's, for telling the patient so."""

    def __init__(self, kind: str, language: str = "en") -> None:
        super().__init__(kind)
        self.kind, self.language = kind, language

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

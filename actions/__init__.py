"""TellOnce custom actions, split by concern. Loaded by `rasa run actions --actions actions`."""
from actions.appointments import ActionDeclineChange, ActionSubmitChange  # noqa: F401
from actions.fallback import ActionFallback  # noqa: F401
from actions.handoff import ActionCaseUpdate  # noqa: F401
from actions.languages import ActionLanguageMenu, ActionSetLanguage  # noqa: F401
from actions.safety import ActionRedFlag  # noqa: F401
from actions.verification import (  # noqa: F401
    ActionAskDateOfBirth,
    ActionAskNhsNumber,
    ActionResumeAfterVerification,
    ActionVerificationStopped,
    ValidateVerifyForm,
)

"""TellOnce: a multilingual patient-contact assistant built on Rasa Open Source."""

__version__ = "0.1.0"

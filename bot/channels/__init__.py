"""Rasa input channels with TellOnce's input hygiene."""

"""Unit tests for bot/channels (a package so test_rest.py does not clash with tests/e2e/test_rest.py)."""

"""Machine translation behind a safety harness: deadline, retries, breaker, cache."""

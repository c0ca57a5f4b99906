"""`python -m bot.language "text"`: print the detected language code and confidence."""
from __future__ import annotations

import sys

from bot.language.detect import detect


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print('usage: python -m bot.language "text to identify"', file=sys.stderr)
        return 2
    result = detect(" ".join(args))
    print(f"{result.code or 'unknown'} {result.confidence:.2f} ({result.method})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

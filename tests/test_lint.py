"""Static checks: no unused imports or undefined names anywhere in the project."""
from __future__ import annotations

import subprocess
import sys

from bot.settings import PROJECT_ROOT


def test_pyflakes_is_clean():
    targets = ["bot", "bench", "tests"] + [str(p) for p in (PROJECT_ROOT / "actions").glob("[a-z]*.py")]
    result = subprocess.run([sys.executable, "-m", "pyflakes", *targets], cwd=PROJECT_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

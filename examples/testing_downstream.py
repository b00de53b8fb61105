"""Run the downstream example project in examples/downstream/ with pytest, as its CI would.

The project has a service (`shipping_desk.py`), a conftest that opts in to
`ordercore.testing.plugin`, and tests that use the plugin's fixtures, the factories and the
hypothesis strategies. See the "Testing your code with ordercore" docs page.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent / "downstream"


def main() -> int:
    """Run the downstream tests and print pytest's summary."""
    result = subprocess.run(  # noqa: S603 - runs pytest on our own example project
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(PROJECT),
            str(PROJECT),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr)
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())

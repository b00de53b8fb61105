"""Tests of the promise engine (a package, so that its builders import by one name)."""

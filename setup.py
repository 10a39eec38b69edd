"""The one thing pyproject.toml cannot state stably: the cleaner's C helpers.

``tui/clean/_speedups.c`` holds the per-line scans of a page (word counts,
line splitting, lexicon stems, plain-furniture flags). It is optional: without a C compiler
the install goes on, and tui.clean uses its Python references, which give the
same decisions (tests/test_speedups.py), only slower.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("tui.clean._speedups", ["tui/clean/_speedups.c"], optional=True)])

"""Errors that are the user's to fix.

A ``UserError`` carries one line that says what is wrong and what to do; the
CLI prints it on stderr and exits with status 2, never with a traceback. Core
code raises it for anything caused by input (a path, a file, a database), so
the same message reaches users of the CLI, the app and the library.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input, with a one-line explanation and a fix."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())  # always one line


class SchemaConflict(UserError):
    """A label-schema change that would orphan stored annotations."""

"""Parallax: compare how news outlets report the same events, from the keyboard."""

__version__ = "0.1.0"

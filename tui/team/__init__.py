"""Annotating as a team: merging databases, agreement between annotators, adjudication.

Core only (no Textual): the CLI commands `parallax merge` and `parallax agreement`
and the app's review screen call these modules.
"""

"""The ``parallax`` command group: global options, context and error handling.

The CLI is a thin layer over the core modules (like sqlite-utils' CLI over
its library): commands parse arguments, call one core function, and print.
Every user mistake surfaces as one line on stderr and exit status 2.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import click

from tui import __version__
from tui.errors import UserError
from tui.store import Store, default_annotator, storage_error
from tui.textsafe import safe

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@contextlib.contextmanager
def progress_bar(label: str, min_total: int = 1) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback drawing a bar on stderr, for long core calls.

    The core reports absolute progress; the bar appears only on a terminal and
    only when there are at least ``min_total`` steps, so pipes and scripts get
    clean output and short jobs no flicker.
    """
    bar: Any = None
    shown = 0

    def progress(done: int, total: int) -> None:
        nonlocal bar, shown
        if bar is None:
            if total < min_total or not sys.stderr.isatty():
                return
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - shown)
        shown = done

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@dataclass
class Context:
    """What every command may need, opened lazily so `--help` never touches a file."""

    db_path: str
    annotator: str
    schema_path: str | None = None
    _store: Store | None = field(default=None, repr=False)

    def store(self, create: bool = True) -> Store:
        """Open the database and install the schema in force (default or --schema).

        ``create=False`` for commands that only read or change what is stored:
        a mistyped --db then says so instead of creating an empty database.
        """
        if self._store is None:
            store = Store.open(self.db_path, create=create)
            try:
                if self.schema_path:
                    from tui.labels import load_schema_file

                    schema = load_schema_file(self.schema_path)
                    with open(self.schema_path, encoding="utf-8") as fh:
                        store.ensure_schema(schema, fh.read(), self.annotator)
                else:
                    store.ensure_schema(None, None, self.annotator)
            except BaseException:
                store.close()
                raise
            self._store = store
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


@click.group(context_settings=CONTEXT_SETTINGS, invoke_without_command=True)
@click.option("--db", "db_path", envvar="PARALLAX_DB", default="annotations.db", show_default=True,
              metavar="PATH", help="Database file ($PARALLAX_DB).")
@click.option("--annotator", envvar="PARALLAX_ANNOTATOR", default=None, metavar="NAME",
              help="Your name on annotations ($PARALLAX_ANNOTATOR; default: login name).")
@click.option("--schema", "schema_path", default=None, metavar="FILE",
              help="Label schema TOML to load into the database (default: tui/labels.toml on first use).")
@click.version_option(__version__, prog_name="parallax")
@click.pass_context
def cli(ctx: click.Context, db_path: str, annotator: str | None, schema_path: str | None) -> None:
    """Parallax: read news outlets side by side, tag passages, link events, export datasets.

    With no command, opens the app (an empty database first imports ./seeds/).

    \b
    Examples:
      parallax                          # open the app on ./annotations.db
      parallax --db team.db import news/
      parallax list --json
    """
    if annotator is not None and not annotator.strip():
        raise UserError("--annotator (or $PARALLAX_ANNOTATOR) is blank: give a name, or leave it out "
                        "to use your login name")
    ctx.obj = Context(db_path=db_path, annotator=(annotator or default_annotator()).strip(),
                      schema_path=schema_path)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        from tui.cli.articles import open_app

        ctx.invoke(open_app)


def echo_json(value: Any) -> None:
    """JSON on stdout; non-ASCII kept readable, controls already stripped at import."""
    click.echo(json.dumps(value, ensure_ascii=False, default=str))


def echo(text: object = "", err: bool = False) -> None:
    click.echo(safe(text), err=err)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the group, turning every user mistake into one line + exit 2."""
    args = sys.argv[1:] if argv is None else argv
    try:
        cli.main(args=args, prog_name="parallax", standalone_mode=False)
    except UserError as exc:
        click.echo(f"parallax: error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.NoSuchOption as exc:
        command = exc.ctx.command_path if exc.ctx else "parallax"
        click.echo(f"parallax: error: {exc.format_message().rstrip('.')}; see `{command} --help`", err=True)
        sys.exit(2)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "parallax"
        message = " ".join(exc.format_message().split()).rstrip(".")
        click.echo(f"parallax: error: {message}; see `{command} --help`", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("parallax: aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"parallax: error: {' '.join(exc.format_message().split())}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("parallax: interrupted; everything committed so far is saved", err=True)
        sys.exit(130)
    except sqlite3.OperationalError as exc:
        # the machine's, not a bug: a full disk, a lock held too long, a read-only file
        click.echo(f"parallax: error: {storage_error(exc)}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        # `parallax list | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)

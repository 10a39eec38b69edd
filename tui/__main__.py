"""``python -m tui`` is the same as the ``parallax`` command."""

from tui.cli import main

if __name__ == "__main__":
    main()

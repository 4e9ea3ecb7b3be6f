"""The `newsetl` console script: `newsetl sql` goes straight to the light module
flows/sql_shell.py (duckdb and the standard library only: it answers in a fraction of a
second); every other command goes to the typer app in flows/cli.py."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point: dispatch on the first argument."""
    if sys.argv[1:2] == ["sql"]:
        from newsetl.flows import sql_shell

        sys.exit(sql_shell.main(sys.argv[2:]))
    from newsetl.flows.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()

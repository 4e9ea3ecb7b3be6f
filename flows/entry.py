"""The `newsetl` console script: `newsetl sql` goes straight to the light module
flows/sql_shell.py (duckdb and the standard library only: it answers in a fraction of a
second); `newsetl run` spawns Prefect's temporary server before anything else loads
(flows/early_server.py); every command then goes to the typer app in flows/cli.py."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point: dispatch on the first argument."""
    if sys.argv[1:2] == ["sql"]:
        from newsetl.flows import sql_shell

        sys.exit(sql_shell.main(sys.argv[2:]))
    if sys.argv[1:2] == ["run"]:  # the temporary server first: every run waits for its start
        from newsetl.flows.early_server import start_for_run

        start_for_run(sys.argv[2:])
    from newsetl.flows.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()

"""newsetl's defaults for Prefect's settings, set in the environment on import (a value
the user set wins). Prefect reads its settings when it is imported, and the temporary
server reads them from the environment it is spawned with: flows/cli.py and
flows/early_server.py import this module before either happens. PREFECT_HOME is set
next to the database by each command that starts Prefect (early_server.prefect_home_next_to)."""

import os

# Telemetry off (it logs errors offline).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# The temporary API server creates its database on first use: on a busy machine that
# took 24-40 s here, past Prefect's 20 s default, and the run failed before it began.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# A Dask LocalCluster logs its start and stop at INFO: not the run's story.
os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")

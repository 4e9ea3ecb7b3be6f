-- Killed runs (flows/crashed_runs.py): a run writes its `runs` row with status RUNNING when
-- it starts, naming the process that runs it. A SIGKILLed run never replaces that row;
-- the next run on the same host finds it RUNNING with its process gone and writes it CRASHED.
ALTER TABLE runs ADD COLUMN host VARCHAR;             -- host name of the process running the run
ALTER TABLE runs ADD COLUMN pid INTEGER;              -- its process id
ALTER TABLE runs ADD COLUMN process_started DOUBLE;   -- its start time (epoch seconds): a reused pid is another process

"""Background work: one registry of jobs, run by `portal worker` through SAQ on Redis, or in the web process without it."""

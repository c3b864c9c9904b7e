// Runs in every Jest worker before the tests: points the engine at this worker's own database and queue prefix.
process.env.TZ = "UTC";

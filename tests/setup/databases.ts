/**
 * Test database names: one migrated template per run, one copy per Jest worker (so workers never share
 * state). Names carry a run id so two suites running at once on one machine never touch each other's data.
 */
export const ADMIN_URL = process.env.COACH_TEST_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const WORKER_SLOTS = 4;

/** The template database of the current run (COACH_TEST_RUN is set by global-setup). */
export function templateDbName(run = process.env.COACH_TEST_RUN ?? "local"): string {
  return `coach_test_${run}`;
}

/** The database URL for a Jest worker id (1-based). */
export function workerDatabaseUrl(workerId: string | number): string {
  return withDatabase(`${templateDbName()}_w${workerId}`);
}

/** ADMIN_URL with another database name. */
export function withDatabase(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

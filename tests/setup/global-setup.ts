/**
 * Runs once before the suite: migrates a fresh template database with the project's own migrator,
 * then clones it once per Jest worker. Tests never touch the development database `coach`.
 */
import { Client } from "pg";
import { migrate } from "../../src/db/migrator";
import { ADMIN_URL, WORKER_SLOTS, templateDbName, withDatabase } from "./databases";
import { dropOrphanSegmentRoles } from "./segment-roles";

export default async function globalSetup(): Promise<void> {
  // Workers inherit the environment of this process, so they find this run's databases.
  process.env.COACH_TEST_RUN = `${process.pid}`;
  const template = templateDbName();
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await dropStaleRuns(admin);
    await dropOrphanSegmentRoles(admin);
    await admin.query(`CREATE DATABASE "${template}"`);
    await migrate(withDatabase(template));
    for (let i = 1; i <= WORKER_SLOTS; i++) await admin.query(`CREATE DATABASE "${template}_w${i}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
}

/** Drops databases of earlier runs whose Jest process is gone (a run killed before its teardown). */
async function dropStaleRuns(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^coach_test_[0-9]+(_w[0-9]+)?$'`);
  for (const { datname } of rows) {
    const pid = Number(/^coach_test_(\d+)/.exec(datname)![1]);
    if (isAlive(pid)) continue;
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

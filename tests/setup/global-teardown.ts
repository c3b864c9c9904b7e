/** Drops this run's databases. */
import { Client } from "pg";
import { ADMIN_URL, WORKER_SLOTS, templateDbName } from "./databases";
import { dropOrphanSegmentRoles } from "./segment-roles";

export default async function globalTeardown(): Promise<void> {
  const template = templateDbName();
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (let i = 1; i <= WORKER_SLOTS; i++) await admin.query(`DROP DATABASE IF EXISTS "${template}_w${i}" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await dropOrphanSegmentRoles(admin); // this run's segment role, now that its databases are gone
  } finally {
    await admin.end();
  }
}

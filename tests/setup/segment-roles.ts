/**
 * SQL segments' login roles are cluster-wide and named after the database whose migration made them
 * (`coach_segments_<database>`, see prisma/migrations/20261202010000_segment_sandbox); a test database's role
 * outlives the database. This drops such roles whose database is gone. PostgreSQL refuses to drop a role
 * still granted anything in any database (a clone of its database, say), so a role in use is never lost.
 */
import type { Client } from "pg";

/** Drops `coach_segments_…` roles whose database no longer exists; a role still in use stays. */
export async function dropOrphanSegmentRoles(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ rolname: string }>(
    `SELECT r.rolname FROM pg_roles r
      WHERE r.rolname ~ '^coach_segments_'
        AND NOT EXISTS (SELECT 1 FROM pg_database d WHERE 'coach_segments_' || d.datname = r.rolname)`,
  );
  for (const { rolname } of rows) {
    await admin.query(`DROP ROLE IF EXISTS "${rolname.replace(/"/g, '""')}"`).catch(() => undefined); // still granted somewhere: kept
  }
}

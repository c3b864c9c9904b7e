/** `npm run db:migrate`: create the database if needed and apply pending migrations. */
import { loadConfig } from "../src/config";
import { ensureDatabase, migrate } from "../src/db/migrator";
import { withDatabase } from "../src/db/embedded";

async function run(): Promise<void> {
  const { url, embedded } = await withDatabase(loadConfig());
  const created = await ensureDatabase(url);
  const { applied, alreadyApplied } = await migrate(url);
  await embedded?.stop();
  process.stdout.write(`${created ? "created database; " : ""}applied ${applied.length} migration(s), ${alreadyApplied.length} already applied\n`);
  for (const name of applied) process.stdout.write(`  + ${name}\n`);
}

run().catch((error) => {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`);
  process.exit(1);
});

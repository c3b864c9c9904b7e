/**
 * Runs the embedded database in a child process, as `npm start` would in its own (PGlite loads its
 * WebAssembly with dynamic imports, which Jest's module sandbox does not allow). Reports
 * `{ url, databasePoolSize, databaseWaitMs }` or `{ error }` over IPC; stops on a "stop" message.
 */
import { loadConfig } from "../../src/config";
import { withDatabase } from "../../src/db/embedded";

const dataDir = process.argv[2];
withDatabase(loadConfig({ COACH_DATA_DIR: dataDir })).then(
  ({ config, url, embedded }) => {
    process.on("message", (m) => {
      if (m === "stop") void embedded!.stop().then(() => process.exit(0));
    });
    process.send!({ url, databasePoolSize: config.databasePoolSize, databaseWaitMs: config.databaseWaitMs });
  },
  (error: Error) => {
    process.send!({ error: error.message });
    process.exit(1);
  },
);

/**
 * Runs the embedded database in a child process, as `npm start` would in its own (PGlite loads its
 * WebAssembly with dynamic imports, which Jest's module sandbox does not allow). Reports
 * `{ url, settings }` (what withDatabase sets for the embedded database) or `{ error }` over IPC; stops on a "stop" message, or when its
 * parent process is gone.
 */
import { loadConfig } from "../../src/config";
import { withDatabase } from "../../src/db/embedded";
import type { EmbeddedSettings } from "./embedded";

const dataDir = process.argv[2];
withDatabase(loadConfig({ COACH_DATA_DIR: dataDir })).then(
  ({ config, url, embedded }) => {
    let stopping: Promise<void> | undefined;
    const stop = () => void (stopping ??= embedded!.stop().then(() => process.exit(0)));
    process.on("message", (m) => {
      if (m === "stop") stop();
    });
    if (!process.connected) return stop(); // its test process is gone (killed, timed out): not left running
    process.once("disconnect", stop);
    const settings: EmbeddedSettings = { databasePoolSize: config.databasePoolSize, databaseWaitMs: config.databaseWaitMs, databasePreparedStatements: config.databasePreparedStatements };
    process.send!({ url, settings });
  },
  (error: Error) => {
    process.send!({ error: error.message });
    process.exit(1);
  },
);

// Runs in every Jest worker before its tests: this worker's own database; logs quiet unless asked for.
import { workerDatabaseUrl } from "./databases";

process.env.TZ = "UTC";
process.env.DATABASE_URL = workerDatabaseUrl(process.env.JEST_WORKER_ID ?? "1");
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "silent";
process.env.COACH_ADMIN_KEY = "coach_admin_test-bootstrap-key-0001";

/** Every scenario of the fault suite, in the order it runs them (CHAOS_SCENARIOS picks by id). */
import type { Scenario } from "../bench";
import { apiSigterm } from "./api-sigterm";
import { clockSkew } from "./clock-skew";
import { fleetStart } from "./fleet-start";
import { killEngine } from "./kill-engine";
import { poisonEvent } from "./poison-event";
import { postgresStopped } from "./postgres-outage";
import { redisFrozen, redisKilled } from "./redis-outage";
import { workerFleet } from "./worker-fleet";

export const SCENARIOS: Scenario[] = [killEngine, redisKilled, redisFrozen, postgresStopped, workerFleet, apiSigterm, clockSkew, poisonEvent, fleetStart];

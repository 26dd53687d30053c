import type { FaultScenario } from "./fault-scenario";
import { badRequests, duplicatesShuffled, poisonRecords, unsignedFlood } from "./hostile-input";
import { overload } from "./overload";
import { projectorsKilled } from "./projector-kills";
import { brokerKilled, mongoStopped, postgresKilled, registryStopped } from "./stack-outages";

/** The scenarios of `make faults`, run in this order; a new fault is a new row. */
export const faultScenarios: readonly FaultScenario[] = [
  brokerKilled,
  projectorsKilled,
  mongoStopped,
  duplicatesShuffled,
  badRequests,
  poisonRecords,
  unsignedFlood,
  registryStopped,
  postgresKilled,
  overload,
];

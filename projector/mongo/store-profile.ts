import type { Db } from "mongodb";

/**
 * What the MongoDB-wire server can take at once. FerretDB 1.24 runs the updates of a command one
 * after another, holding one PostgreSQL connection per update until the command ends plus one per
 * update's transaction: updates in flight beyond its pool deadlock it for every client. So it gets
 * few updates per command and a bound on updates in flight per process; inserts go in one transaction.
 * MongoDB itself takes large unordered commands and many in flight.
 */
export interface StoreProfile {
  name: "mongodb" | "ferretdb-1.24";
  updatesPerCommand: number;
  insertsPerCommand: number;
  /** Updates in flight in one projector process, over every partition and call. */
  updatesInFlight: number;
  /** Commands in flight at once per bulk write. */
  concurrentCommands: number;
  /** Whether `_id: {$in: [...]}` is served by the index (FerretDB 1.24 reads the whole collection). */
  indexedInQueries: boolean;
  /** Whether renameCollection takes `dropTarget` (FerretDB 1.24 has none): a rebuild's swap in one step. */
  renameDropsTarget: boolean;
}

export const storeProfiles: Record<StoreProfile["name"], StoreProfile> = {
  mongodb: {
    name: "mongodb",
    updatesPerCommand: 1000,
    insertsPerCommand: 1000,
    updatesInFlight: 10_000,
    concurrentCommands: 8,
    indexedInQueries: true,
    renameDropsTarget: true,
  },
  "ferretdb-1.24": {
    name: "ferretdb-1.24",
    updatesPerCommand: 5,
    insertsPerCommand: 100,
    updatesInFlight: 20,
    concurrentCommands: 8,
    indexedInQueries: false,
    renameDropsTarget: false,
  },
};

export type StoreProfileSetting = StoreProfile["name"] | "auto";
export const storeProfileSettings: readonly StoreProfileSetting[] = ["auto", "mongodb", "ferretdb-1.24"];

/** The profile a setting names; `auto` asks the server's `buildInfo` (FerretDB names itself there). */
export async function chooseStoreProfile(db: Db, setting: StoreProfileSetting): Promise<StoreProfile> {
  if (setting !== "auto") return storeProfiles[setting];
  const buildInfo = await db.admin().command({ buildInfo: 1 });
  return isFerretDb(buildInfo) ? storeProfiles["ferretdb-1.24"] : storeProfiles.mongodb;
}

export function isFerretDb(buildInfo: Record<string, unknown>): boolean {
  return typeof buildInfo.ferretdbVersion === "string";
}

import type { Db, Document } from "mongodb";
import { ferretDb124BuildInfo, mongoDb80BuildInfo } from "../../tests/fixtures/store-build-info";
import { chooseStoreProfile, isFerretDb, storeProfiles } from "./store-profile";

/** A database whose admin answers every command with `buildInfo`, keeping the commands it was sent. */
const serverAnswering = (buildInfo: Document) => {
  const commands: Document[] = [];
  const db = {
    admin: () => ({
      command: async (command: Document) => {
        commands.push(command);
        return buildInfo;
      },
    }),
  } as unknown as Db;
  return { db, commands };
};

it("recognises FerretDB by the version it adds to buildInfo, and MongoDB 8.0 by its absence", () => {
  expect(isFerretDb(ferretDb124BuildInfo)).toBe(true);
  expect(isFerretDb(mongoDb80BuildInfo)).toBe(false);
});

it("with auto, asks buildInfo and takes the mongodb profile from MongoDB 8.0, ferretdb-1.24 from FerretDB", async () => {
  const mongo = serverAnswering(mongoDb80BuildInfo);
  const ferret = serverAnswering(ferretDb124BuildInfo);
  expect(await chooseStoreProfile(mongo.db, "auto")).toBe(storeProfiles.mongodb);
  expect(await chooseStoreProfile(ferret.db, "auto")).toBe(storeProfiles["ferretdb-1.24"]);
  expect(mongo.commands).toEqual([{ buildInfo: 1 }]);
});

it("takes the profile a setting names without asking the server", async () => {
  const ferret = serverAnswering(ferretDb124BuildInfo);
  expect(await chooseStoreProfile(ferret.db, "mongodb")).toBe(storeProfiles.mongodb);
  expect(ferret.commands).toEqual([]);
});

it("keeps FerretDB 1.24's updates in flight below its connection pool", () => {
  const { updatesPerCommand, updatesInFlight } = storeProfiles["ferretdb-1.24"];
  expect(updatesPerCommand).toBe(5);
  expect(updatesInFlight).toBe(20);
});

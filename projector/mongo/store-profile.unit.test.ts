import type { Db } from "mongodb";
import { chooseStoreProfile, isFerretDb, storeProfiles } from "./store-profile";

const serverAnswering = (buildInfo: Record<string, unknown>) =>
  ({ admin: () => ({ command: async () => buildInfo }) }) as unknown as Db;

it("recognises FerretDB by the version it adds to buildInfo", () => {
  expect(isFerretDb({ version: "7.0.42", ferretdbVersion: "v1.24.2", ok: 1 })).toBe(true);
  expect(isFerretDb({ version: "7.0.14", gitVersion: "abc", ok: 1 })).toBe(false);
});

it("chooses the profile a setting names, or the server's own with auto", async () => {
  const ferret = serverAnswering({ ferretdbVersion: "v1.24.2" });
  const mongo = serverAnswering({ version: "7.0.14" });
  expect(await chooseStoreProfile(ferret, "auto")).toBe(storeProfiles["ferretdb-1.24"]);
  expect(await chooseStoreProfile(mongo, "auto")).toBe(storeProfiles.mongodb);
  expect(await chooseStoreProfile(ferret, "mongodb")).toBe(storeProfiles.mongodb);
});

it("keeps FerretDB 1.24's updates in flight below its connection pool", () => {
  const { updatesPerCommand, updatesInFlight } = storeProfiles["ferretdb-1.24"];
  expect(updatesPerCommand).toBe(5);
  expect(updatesInFlight).toBe(20);
});

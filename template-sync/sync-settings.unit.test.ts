import { SettingsError } from "../runtime/settings";
import { graphBaseUrlProblems, readTemplateSyncSettings } from "./sync-settings";

it("takes https, and plain http only to loopback", () => {
  for (const ok of [
    "https://graph.facebook.com",
    "http://127.0.0.1:9999",
    "http://[::1]:9999",
    "http://localhost:9999",
  ])
    expect(graphBaseUrlProblems(ok)).toEqual({});
  for (const clear of [
    "http://graph.facebook.com",
    "http://10.0.0.7:8080",
    "http://127.0.0.1.example.com",
    "ftp://graph.facebook.com",
  ])
    expect(Object.keys(graphBaseUrlProblems(clear))).toEqual(["GRAPH_API_BASE_URL"]);
});

it("fails start-up naming GRAPH_API_BASE_URL when it is http:// to another host", () => {
  let thrown: unknown;
  try {
    readTemplateSyncSettings({ GRAPH_API_BASE_URL: "http://graph.facebook.com" });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SettingsError);
  expect((thrown as SettingsError).problems.GRAPH_API_BASE_URL).toContain("must be https://");
  expect(readTemplateSyncSettings({ GRAPH_API_BASE_URL: "http://127.0.0.1:9999" }).GRAPH_API_BASE_URL).toBe(
    "http://127.0.0.1:9999",
  );
});

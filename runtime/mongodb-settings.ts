import { EnvError, makeValidator, type CleanedEnv } from "envalid";
import type { MongoClientOptions } from "mongodb";
import { certificateFile } from "./setting-validators";

/** A MongoDB connection string; the error never repeats it (it may hold a password). */
export const mongoUri = makeValidator<string>((raw) => {
  if (!/^mongodb(\+srv)?:\/\/.+/.test(raw)) throw new EnvError("expected a mongodb:// or mongodb+srv:// URI");
  return raw;
});

/**
 * The server and its credentials, TLS options and replica set, all in the connection string (MongoDB's
 * own convention); a CA file beside it for a private CA.
 */
export const mongoSettingSpecs = {
  MONGODB_URI: mongoUri({
    default: "mongodb://127.0.0.1:27017",
    desc: "MongoDB (or wire-compatible) URI, credentials and TLS options included; never logged with its password",
  }),
  MONGODB_TLS_CA_FILE: certificateFile({
    default: "",
    desc: "PEM file of the CA(s) the server's certificate chains to; turns TLS on (empty: the URI decides)",
  }),
};

export type MongoSettings = CleanedEnv<typeof mongoSettingSpecs>;

/** The URI's own `tls` or `ssl` option when it turns TLS off. */
const tlsOffInUri = /[?&](tls|ssl)=false(&|$)/i;

/** Rules between the MongoDB variables that are well-formed: a problem by variable name. */
export function mongoSettingProblems(settings: Partial<MongoSettings>): Record<string, string> {
  return settings.MONGODB_TLS_CA_FILE && settings.MONGODB_URI && tlsOffInUri.test(settings.MONGODB_URI)
    ? { MONGODB_TLS_CA_FILE: "set, but MONGODB_URI turns TLS off (tls=false)" }
    : {};
}

/** Options of every MongoClient the services create, beside the URI. */
export function mongoClientOptions(settings: MongoSettings): MongoClientOptions {
  // The driver takes a CA file without TLS and then connects in clear: a CA file means TLS.
  return settings.MONGODB_TLS_CA_FILE ? { tls: true, tlsCAFile: settings.MONGODB_TLS_CA_FILE } : {};
}

/** The URI with its password replaced, for logs (up to the last @: a password left unencoded stays hidden). */
export function redactedMongoUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]*):.*@/, "$1:***@");
}

/** The connection as a log line may show it. */
export function describeMongoConnection(settings: MongoSettings) {
  return { uri: redactedMongoUri(settings.MONGODB_URI), tlsCAFile: settings.MONGODB_TLS_CA_FILE || false };
}

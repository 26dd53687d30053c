import { request as httpRequest } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import type { SchemaRegistryAPIClientArgs } from "@kafkajs/confluent-schema-registry/dist/api";

/** Where the schema registry is and how to reach it: the same for the serde and every other request. */
export interface SchemaRegistryConnection {
  /** Base URL, without credentials (Apicurio's: `.../apis/ccompat/v7`). */
  readonly url: string;
  /** Value of the Authorization header of every request (basic or bearer), or none. */
  readonly authorization?: string;
  /** What authenticates the requests, for messages ("no credentials", "the basic credentials of user svc"). */
  readonly credentials: string;
  /** PEM CA certificate(s) an https registry's certificate must chain to (else the system's). */
  readonly ca?: string;
}

/** A registry on this URL with no credentials and the system's CAs. */
export const plainRegistry = (url: string): SchemaRegistryConnection => ({
  url,
  credentials: "no credentials",
});

const agents = new WeakMap<SchemaRegistryConnection, Agent>();

/** One keep-alive agent per connection with a CA of its own; none (Node's global agents) otherwise. */
function agentOf(connection: SchemaRegistryConnection): Agent | undefined {
  if (!connection.ca || !connection.url.startsWith("https:")) return undefined;
  let agent = agents.get(connection);
  if (!agent) {
    agent = new Agent({ keepAlive: true, ca: connection.ca });
    agents.set(connection, agent);
  }
  return agent;
}

/** The arguments of @kafkajs/confluent-schema-registry's client for `connection`. */
export function schemaRegistryClientArgs(connection: SchemaRegistryConnection): SchemaRegistryAPIClientArgs {
  const { authorization } = connection;
  const agent = agentOf(connection);
  return {
    host: connection.url,
    ...(agent && { agent }),
    ...(authorization && {
      middlewares: [
        () => ({
          prepareRequest: (next) => next().then((request) => request.enhance({ headers: { authorization } })),
        }),
      ],
    }),
  };
}

export interface RegistryAnswer {
  status: number;
  body: string;
}

/** One request to the registry (`path` below its base URL) with the connection's credentials and CA. */
export function registryRequest(
  connection: SchemaRegistryConnection,
  path: string,
  options: { method?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<RegistryAnswer> {
  const url = new URL(connection.url.replace(/\/$/, "") + path);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    accept: "application/vnd.schemaregistry.v1+json, application/json",
  };
  if (connection.authorization) headers.authorization = connection.authorization;
  if (body !== undefined) headers["content-type"] = "application/vnd.schemaregistry.v1+json";
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: options.method ?? "GET",
        headers,
        agent: agentOf(connection),
        timeout: options.timeoutMs ?? 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () =>
      request.destroy(new Error(`no answer from ${url.origin} within the timeout`)),
    );
    request.on("error", reject);
    request.end(body);
  });
}

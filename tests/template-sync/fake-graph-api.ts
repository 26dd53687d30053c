import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer of the fake Graph API. */
export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * A Graph API stand-in on loopback: answers GET <path> from a queue per path (the last answer repeats),
 * records each request's path and Authorization header, and refuses what it was not told about.
 */
export class FakeGraphApi {
  readonly requests: { path: string; authorization: string | undefined }[] = [];
  private readonly answers = new Map<string, FakeAnswer[]>();
  private server: Server | undefined;
  baseUrl = "";

  answer(path: string, ...answers: FakeAnswer[]): void {
    this.answers.set(path, answers);
  }

  async start(): Promise<void> {
    this.server = createServer((request: IncomingMessage, response) => {
      const path = request.url ?? "";
      this.requests.push({ path, authorization: request.headers.authorization });
      const queue = this.answers.get(path);
      const answer = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
      const { status, headers, body } = answer ?? {
        status: 404,
        body: { error: { message: `no answer for ${path}`, code: 803 } },
      };
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(typeof body === "string" ? body : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The path of an account's first page, as the sync asks for it. */
export const firstPagePath = (wabaId: string, apiVersion = "v23.0") =>
  `/${apiVersion}/${wabaId}/message_templates?fields=id,name,language,status,category,previous_category,quality_score,rejected_reason,components`;

import { signBody } from "../../ingress/domain/signature";

export const webhookPath = "/api/integrations/webhooks/whatsapp/";

export interface WebhookAnswer {
  status: number;
  body: string;
  requestId: string | null;
}

/** POSTs a body to the ingress as Meta would: raw bytes, signed with `appSecret` unless a header is given. */
export async function postWebhook(
  baseUrl: string,
  payload: unknown,
  options: { appSecret?: string; signatureHeader?: string | null; contentType?: string } = {},
): Promise<WebhookAnswer> {
  const body = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload));
  const headers: Record<string, string> = { "content-type": options.contentType ?? "application/json" };
  const signature =
    options.signatureHeader !== undefined ? options.signatureHeader : signBody(body, options.appSecret ?? "");
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(`${baseUrl}${webhookPath}`, { method: "POST", headers, body });
  return {
    status: response.status,
    body: await response.text(),
    requestId: response.headers.get("x-request-id"),
  };
}

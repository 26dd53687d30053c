import type { Collection } from "mongodb";
import { ConfigSecretError, openConfigSecrets } from "../ingress/configuration/config-secrets";
import type { WhatsAppConfig } from "../ingress/configuration/webhook-credentials";
import type { Keyring } from "../runtime/secret-box";
import type { SyncAccount } from "./account-sync";

/** The accounts to sync, and the active documents whose token did not open (each fails its account). */
export interface ActiveAccounts {
  accounts: SyncAccount[];
  unreadable: { wabaId: string; why: string }[];
  /** Documents read whose token is stored in clear (legacy): read, with a warning. */
  plaintext: string[];
}

export interface EnvironmentAccount {
  WHATSAPP_WABA_ID: string;
  WHATSAPP_ACCESS_TOKEN: string;
  WHATSAPP_API_VERSION: string;
}

/**
 * One account per WABA of the active whatsapp_configs documents (the first by phone number id whose
 * token opens), their tokens opened as the ingress opens its secrets; else the environment's account
 * (WHATSAPP_WABA_ID, WHATSAPP_ACCESS_TOKEN), else none.
 */
export async function activeAccounts(
  configs: Collection<WhatsAppConfig>,
  environment: EnvironmentAccount,
  keyring: Keyring | undefined,
): Promise<ActiveAccounts> {
  const documents = await configs
    .find({ active: true }, { projection: { wabaId: 1, accessToken: 1 }, sort: { _id: 1 } })
    .toArray();
  if (documents.length === 0) {
    const { WHATSAPP_WABA_ID: wabaId, WHATSAPP_ACCESS_TOKEN: accessToken } = environment;
    return {
      accounts:
        wabaId && accessToken
          ? [{ wabaId, accessToken, apiVersion: environment.WHATSAPP_API_VERSION, source: "environment" }]
          : [],
      unreadable: [],
      plaintext: [],
    };
  }
  const accounts = new Map<string, SyncAccount>();
  const problems = new Map<string, string>();
  const plaintext: string[] = [];
  for (const document of documents) {
    if (accounts.has(document.wabaId)) continue;
    try {
      const { secrets, plaintext: clear } = openConfigSecrets(document, ["accessToken"], keyring);
      if (clear.length > 0) plaintext.push(document._id);
      accounts.set(document.wabaId, {
        wabaId: document.wabaId,
        accessToken: secrets.accessToken,
        apiVersion: environment.WHATSAPP_API_VERSION,
        source: `whatsapp_configs ${document._id}`,
      });
      problems.delete(document.wabaId);
    } catch (error) {
      if (!(error instanceof ConfigSecretError)) throw error;
      problems.set(document.wabaId, error.message);
    }
  }
  return {
    accounts: [...accounts.values()],
    unreadable: [...problems].map(([wabaId, why]) => ({ wabaId, why })),
    plaintext,
  };
}

import type { Generated } from 'kysely';

import { POLEEPO_SIGNING_MODES, POLEEPO_WEBHOOK_EVENTS, type PoleepoSigningMode, type PoleepoWebhookEvent } from '../poleepo/poleepo.signature.ts';

export type VerificationMode = PoleepoSigningMode;
export const VERIFICATION_MODES: readonly VerificationMode[] = POLEEPO_SIGNING_MODES;

export type WebhookEvent = PoleepoWebhookEvent;
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = POLEEPO_WEBHOOK_EVENTS;

/**
 * Webhook queue statuses: the original's In Attesa / Completato / Fallito, plus `received` for messages of an event
 * the connector cannot act on yet (kept as received, never failed for that reason).
 */
export type WebhookMessageStatus = 'pending' | 'done' | 'failed' | 'received';
export const WEBHOOK_MESSAGE_STATUSES: readonly WebhookMessageStatus[] = ['pending', 'done', 'failed', 'received'];

export interface WebhooksTable {
  id: Generated<number>;
  connection_id: number;
  name: string;
  url_token: string;
  secret: string;
  /** JSON array of WebhookEvent. */
  events: string;
  verification: VerificationMode;
  active: number;
  created_at: number;
  updated_at: number;
}

export interface WebhookMessagesTable {
  id: Generated<number>;
  connection_id: number;
  webhook_id: number | null;
  event: string;
  resource_type: 'order' | 'shipment';
  resource_id: string;
  event_id: string | null;
  dedupe_key: string;
  status: WebhookMessageStatus;
  /** The raw body as received; deleted after the retention period once processed (personal data). */
  payload: string | null;
  attempts: number;
  last_error: string | null;
  note: string | null;
  duplicates: number;
  received_at: number;
  processed_at: number | null;
  updated_at: number;
}

declare module '../storage/schema.ts' {
  interface Database {
    webhooks: WebhooksTable;
    webhook_messages: WebhookMessagesTable;
  }
}

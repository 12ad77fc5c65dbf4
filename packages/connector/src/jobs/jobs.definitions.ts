/**
 * THE list of scheduled jobs (DESIGN §4.11, defaults from the seed's crons). Machine names are stable (CLI, URLs,
 * database rows); display names are the seed's. A job with no handler yet records its runs as "not_configured"
 * until its module plugs one in with `jobs.setHandler(name, fn)`.
 *
 * Ticks are aligned to interval boundaries counted from the Unix epoch in UTC, shifted by `offsetMs`: a 2-minute
 * job ticks at :00, :02, :04…; a daily job with offset 3 h ticks at 03:00 UTC. Every process computes the same tick
 * times, which is what lets the unique (job_name, tick_at) claim run each tick once cluster-wide.
 */
export interface JobDefinition {
  name: string;
  displayName: string;
  description: string;
  /** null = manual only (run now). */
  defaultIntervalMs: number | null;
  defaultEnabled: boolean;
  offsetMs?: number;
  /** What brings the handler, for the honest "not configured" message. */
  arrivesWith?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const JOB_DEFINITIONS: readonly JobDefinition[] = [
  {
    name: 'process-webhook-queue', displayName: 'Process Webhook Queue', defaultIntervalMs: MINUTE, defaultEnabled: true,
    description: 'Processes waiting webhook messages (the safety net: messages are normally processed as they arrive).',
    arrivesWith: 'the webhooks module',
  },
  {
    name: 'webhook-queue-cleaning', displayName: 'Webhook Queue Cleaning', defaultIntervalMs: null, defaultEnabled: true,
    description: 'Removes processed webhook messages (manual).',
    arrivesWith: 'the webhooks module',
  },
  {
    name: 'generate-product-batches', displayName: 'Generate Product Batches', defaultIntervalMs: 2 * MINUTE, defaultEnabled: true,
    description: 'Groups the products needing an update into batches and sends them to Poleepo.',
    arrivesWith: 'the product export',
  },
  {
    name: 'poll-product-batches', displayName: 'Poll Product Batches', defaultIntervalMs: 10 * MINUTE, defaultEnabled: true,
    description: "Asks Poleepo for the results of sent batches, within Poleepo's rate limit on that endpoint.",
    arrivesWith: 'the product export',
  },
  {
    name: 'api-log-cleanup', displayName: 'API Log Cleanup', defaultIntervalMs: DAY, defaultEnabled: true, offsetMs: 3 * HOUR,
    description: 'Deletes old API log entries, rate-limit ledger entries, finished tasks and job runs (daily, 03:00 UTC).',
  },
  {
    name: 'order-polling', displayName: 'Order Polling', defaultIntervalMs: 5 * MINUTE, defaultEnabled: true,
    description: 'Reads orders changed on Poleepo since the last poll, catching anything a webhook missed.',
    arrivesWith: 'the order import',
  },
  {
    name: 'shipment-polling', displayName: 'Shipment Polling', defaultIntervalMs: 10 * MINUTE, defaultEnabled: true,
    description: 'Reads shipment changes on Poleepo since the last poll.',
    arrivesWith: 'shipping',
  },
  {
    name: 'product-reconciliation', displayName: 'Product Reconciliation', defaultIntervalMs: DAY, defaultEnabled: true, offsetMs: 2 * HOUR,
    description: 'Compares the products bound in Odoo with Poleepo and repairs differences (nightly, 02:00 UTC).',
    arrivesWith: 'the product export',
  },
  {
    name: 'invoice-sync', displayName: 'Invoice Sync', defaultIntervalMs: 5 * MINUTE, defaultEnabled: true,
    description: 'Invoices imported orders per the invoice policy, sends invoices and credit notes posted in Odoo to Poleepo, and imports the documents Poleepo holds for changed orders.',
    arrivesWith: 'invoices',
  },
];

/** Finds a job by machine name or display name, ignoring case ("poll-product-batches", "Poll Product Batches"). */
export function findJobDefinition(nameOrDisplayName: string): JobDefinition | undefined {
  const wanted = nameOrDisplayName.trim().toLowerCase();
  return JOB_DEFINITIONS.find((j) => j.name === wanted || j.displayName.toLowerCase() === wanted);
}

/** The tick a moment belongs to: the latest boundary `offset + k·interval` at or before `now`. */
export function alignTick(now: number, intervalMs: number, offsetMs = 0): number {
  const offset = ((offsetMs % intervalMs) + intervalMs) % intervalMs;
  return Math.floor((now - offset) / intervalMs) * intervalMs + offset;
}

import type { GaugeCollector } from '../server/metrics.ts';
import type { WebhookQueueRepo } from './webhook-queue.repo.ts';

/** `poleepo_odoo_webhook_messages{status}`: the webhook queue by status, read at scrape time (cluster-wide). */
export function webhookQueueGaugeCollector(repo: WebhookQueueRepo): GaugeCollector {
  return {
    name: 'poleepo_odoo_webhook_messages',
    help: 'Messages in the webhook queue by status (pending = In Attesa, done = Completato, failed = Fallito, received = Ricevuto)',
    collect: async () => Object.entries(await repo.countByStatus()).map(([status, value]) => ({ labels: { status }, value })),
  };
}

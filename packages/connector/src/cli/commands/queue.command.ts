import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';
import { ValidationError } from '../../shared/errors.ts';
import { redactBody } from '../../shared/redact.ts';
import { WEBHOOK_MESSAGE_STATUSES, type WebhookMessageStatus } from '../../webhooks/webhooks.tables.ts';

const LABELS: Record<WebhookMessageStatus, string> = { pending: 'In Attesa', done: 'Completato', failed: 'Fallito', received: 'Ricevuto' };

/** `queue list | show | retry | clean`: the webhook queue (messages Poleepo sent). */
export function register(program: Command, runtime: CliRuntime): void {
  const queue = program.command('queue').description('the webhook queue: messages received from Poleepo (In Attesa / Completato / Fallito)');

  queue.command('list')
    .description('list webhook messages, newest first')
    .option('--status <status>', `only this status (${WEBHOOK_MESSAGE_STATUSES.join('|')})`)
    .option('--connection <name>', 'only this connection')
    .option('--limit <n>', 'at most this many (default 50)', '50')
    .option('--json', 'print as JSON')
    .action(async (opts: { status?: string; connection?: string; limit: string; json?: boolean }) => {
      if (opts.status && !WEBHOOK_MESSAGE_STATUSES.includes(opts.status as WebhookMessageStatus)) {
        throw new ValidationError(`--status must be one of ${WEBHOOK_MESSAGE_STATUSES.join(', ')} (got "${opts.status}")`);
      }
      const limit = parseIntOption('--limit', opts.limit);
      const ctx = await runtime.context();
      const connectionId = opts.connection ? (await resolveConnectionOption(ctx, opts.connection)).id : undefined;
      const { webhookQueue } = await runtime.services();
      const page = await webhookQueue.list({ status: opts.status as WebhookMessageStatus | undefined, connectionId, limit });
      if (opts.json) return runtime.json({ total: page.total, messages: page.rows.map(({ payload: _p, ...m }) => m) });
      runtime.table(page.rows.map((m) => ({
        id: m.id, status: LABELS[m.status], event: m.event, resource: `${m.resource_type} ${m.resource_id}`, connection: m.connection_name,
        received: new Date(m.received_at).toISOString(), attempts: m.attempts, error: m.last_error ?? m.note ?? '',
      })), { empty: 'The webhook queue is empty.' });
    });

  queue.command('show <id>')
    .description('show one message with its payload (personal data redacted)')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { webhookQueue } = await runtime.services();
      const m = await webhookQueue.get(parseIntOption('ID', id));
      if (!m) throw new ValidationError(`No webhook message ${id}`);
      const shown = { ...m, status_label: LABELS[m.status], payload: redactBody(m.payload, 20_000) };
      if (opts.json) return runtime.json(shown);
      for (const [k, v] of Object.entries(shown)) if (k !== 'payload') runtime.out(`${k.padEnd(14)} ${v ?? ''}`);
      runtime.out(`payload\n${shown.payload ?? '(erased after the retention period)'}`);
    });

  queue.command('retry <id>')
    .description('process a message again (Fallito or In Attesa)')
    .action(async (id: string) => {
      const { webhookQueue } = await runtime.services();
      await webhookQueue.retry(parseIntOption('ID', id));
      runtime.out(`Message ${id} queued again (In Attesa); a running worker processes it at once.`);
    });

  queue.command('clean')
    .description('remove processed messages (Webhook Queue Cleaning)')
    .option('--connection <name>', 'only this connection')
    .action(async (opts: { connection?: string }) => {
      const ctx = await runtime.context();
      const connectionId = opts.connection ? (await resolveConnectionOption(ctx, opts.connection)).id : undefined;
      const { webhookQueue } = await runtime.services();
      runtime.out(`Removed ${await webhookQueue.clean(connectionId)} processed message(s).`);
    });
}

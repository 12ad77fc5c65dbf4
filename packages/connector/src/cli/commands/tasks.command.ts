import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption } from '../runtime.ts';
import { ValidationError } from '../../shared/errors.ts';
import { resolveConnectionOption } from '../connection-option.ts';
import { redactText, redactValue } from '../../shared/redact.ts';
import { TASK_STATUSES, type TaskListRow, type TaskStatus } from '../../tasks/task.types.ts';

/**
 * `tasks list | show ID | retry ID`: the internal tasks the workers run, their failures and dead letters.
 * Payloads, results and errors are printed with secrets and personal data redacted, as in the console.
 */
export function register(program: Command, runtime: CliRuntime): void {
  const tasks = program.command('tasks').description('internal tasks the workers run: status, failures, dead letters, retry');

  tasks.command('list')
    .description('list tasks, newest first, with counts by status')
    .option('--status <status>', `only this status (${TASK_STATUSES.join('|')})`)
    .option('--lane <lane>', 'only this lane (orders, webhooks, products, jobs, maintenance…)')
    .option('--kind <kind>', 'only this kind of task')
    .option('--connection <name>', 'only the tasks of this connection')
    .option('--limit <n>', 'at most this many tasks (default 50)', '50')
    .option('--offset <n>', 'skip this many first (paging)', '0')
    .option('--json', 'print as JSON')
    .action(async (opts: { status?: string; lane?: string; kind?: string; connection?: string; limit: string; offset: string; json?: boolean }) => {
      if (opts.status && !TASK_STATUSES.includes(opts.status as TaskStatus)) {
        throw new ValidationError(`--status must be one of ${TASK_STATUSES.join(', ')} (got "${opts.status}")`);
      }
      const limit = parseIntOption('--limit', opts.limit);
      const offset = parseIntOption('--offset', opts.offset);
      if (limit < 1 || limit > 1000) throw new ValidationError('--limit must be between 1 and 1000');
      if (offset < 0) throw new ValidationError('--offset cannot be negative');
      const ctx = await runtime.context();
      if (opts.connection) await resolveConnectionOption(ctx, opts.connection);
      const page = await ctx.tasks.list(
        { status: opts.status as TaskStatus | undefined, lane: opts.lane, kind: opts.kind, connectionName: opts.connection },
        { limit, offset },
      );
      if (opts.json) {
        runtime.json({ total: page.total, byStatus: page.byStatus, tasks: page.rows.map(taskJson) });
        return;
      }
      runtime.table(page.rows.map((t) => ({
        id: t.id,
        status: t.status,
        kind: t.kind,
        lane: t.lane,
        connection: t.connection_name ?? '',
        attempts: `${t.attempts}/${t.max_attempts}`,
        'run at': t.status === 'pending' ? iso(t.run_at) : '',
        updated: iso(t.updated_at),
        'last error': oneLine(t.last_error),
      })), { empty: 'No tasks match.' });
      const counts = TASK_STATUSES.map((s) => `${s} ${page.byStatus[s]}`).join(', ');
      runtime.out(`${page.rows.length ? `Showing ${offset + 1}–${offset + page.rows.length} of ${page.total}` : `${page.total} matching`} (${counts})`);
    });

  tasks.command('show')
    .description('show one task: payload, attempts, lease, result and last error')
    .argument('<id>', 'task id')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const taskId = parseIntOption('id', id);
      const ctx = await runtime.context();
      const task = await ctx.tasks.get(taskId);
      if (!task) throw new ValidationError(`No task #${taskId}`);
      if (opts.json) return runtime.json(taskJson(task));
      const rows: [string, string | number | null][] = [
        ['kind', task.kind],
        ['lane', task.lane],
        ['connection', task.connection_id === null ? '(global)' : `${task.connection_name ?? '?'} (#${task.connection_id})`],
        ['attempts', `${task.attempts} of ${task.max_attempts}`],
        ['priority', task.priority],
        ['run at', iso(task.run_at)],
        ['created', iso(task.created_at)],
        ['updated', iso(task.updated_at)],
        ['finished', task.finished_at === null ? null : iso(task.finished_at)],
        ['locked by', task.locked_by],
        ['lease until', task.locked_until === null ? null : iso(task.locked_until)],
        ['dedupe key', task.dedupe_key],
        ['serial key', task.serial_key],
        ['last error', task.last_error === null ? null : redactText(task.last_error)],
      ];
      runtime.out(`Task #${task.id}  ${task.status}`);
      for (const [label, value] of rows) if (value !== null && value !== '') runtime.out(`  ${label.padEnd(12)}${value}`);
      runtime.out(`  payload\n${indent(pretty(task.payload))}`);
      if (task.result !== null) runtime.out(`  result\n${indent(pretty(task.result))}`);
      if (task.last_error_stack) runtime.out(`  stack of the last error\n${indent(redactText(task.last_error_stack))}`);
      if (task.status === 'dead') runtime.out(`Retry it with: poleepo-odoo tasks retry ${task.id}`);
    });

  tasks.command('retry')
    .description('retry a dead task: pending again now, with its attempts reset (its last error stays visible)')
    .argument('<id>', 'task id')
    .action(async (id: string) => {
      const taskId = parseIntOption('id', id);
      const ctx = await runtime.context();
      const task = await ctx.tasks.retry(taskId);
      runtime.out(`Task #${task.id} (${task.kind}) is pending again with its attempts reset; a running worker (poleepo-odoo start or work) picks it up.`);
    });
}

function taskJson(t: TaskListRow) {
  return {
    ...t,
    payload: redactValue(parseJson(t.payload)),
    result: t.result === null ? null : redactValue(parseJson(t.result)),
    last_error: t.last_error === null ? null : redactText(t.last_error),
    last_error_stack: t.last_error_stack === null ? null : redactText(t.last_error_stack),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function pretty(text: string): string {
  const value = redactValue(parseJson(text));
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function oneLine(text: string | null): string {
  return text === null ? '' : redactText(text).replace(/\s+/g, ' ');
}

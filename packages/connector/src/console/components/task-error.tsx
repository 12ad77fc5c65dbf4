import { redactValue } from '../../shared/redact.ts';
import type { TaskStatus } from '../../tasks/task.types.ts';
import { said } from './said.ts';
import type { Ui } from './ui.ts';

function shortError(ui: Ui, text: string | null): string {
  if (!text) return '';
  const redacted = said(ui, String(redactValue(text)));
  return redacted.length > 160 ? `${redacted.slice(0, 159)}…` : redacted;
}

/**
 * A task's last error: an error while the task is pending again or dead; for a task that ended done it is history
 * (an earlier attempt's reason, overcome by a later one), shown muted and labelled as such, never in red.
 */
export function TaskError({ ui, status, text, full }: { ui: Ui; status: TaskStatus; text: string | null; full?: boolean }) {
  if (!text) return <></>;
  const shown = full ? said(ui, String(redactValue(text))) : shortError(ui, text);
  if (status === 'done') return <span class="muted history"><span class="history-label">{ui.t('tasks.earlierAttempt')}</span> {shown}</span>;
  return <span class="error-text">{shown}</span>;
}

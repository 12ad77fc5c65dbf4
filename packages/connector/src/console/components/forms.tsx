import type { Child } from 'hono/jsx';
import type { Ui } from './ui.ts';

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export interface ActionButtonProps {
  ui: Ui;
  action: string;
  label: string;
  /** Extra hidden fields. */
  fields?: Record<string, string | number>;
  /** Asks before submitting (htmx hx-confirm; no inline script). */
  confirm?: string;
  variant?: 'primary' | 'secondary' | 'danger';
  /** Accessible name when the label alone is ambiguous in a table row ("Retry task 12"). */
  ariaLabel?: string;
}

/** A POST form of one button: every state change in the console is a POST with the CSRF token. */
export function ActionButton(props: ActionButtonProps) {
  const cls = props.variant === 'danger' ? 'small danger' : props.variant === 'secondary' ? 'small secondary outline' : 'small';
  return (
    <form method="post" action={props.action} class="inline" hx-confirm={props.confirm}>
      <CsrfField token={props.ui.csrfToken} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => <input type="hidden" name={name} value={String(value)} />)}
      <button type="submit" class={cls} aria-label={props.ariaLabel}>{props.label}</button>
    </form>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField(props: { id?: string; name: string; label: string; options: Option[]; value?: string; required?: boolean; hideLabel?: boolean }) {
  const id = props.id ?? `f-${props.name}`;
  return (
    <label for={id} class={props.hideLabel ? 'compact' : undefined}>
      <span class={props.hideLabel ? 'visually-hidden' : undefined}>{props.label}</span>
      <select id={id} name={props.name} required={props.required}>
        {props.options.map((o) => <option value={o.value} selected={o.value === (props.value ?? '')}>{o.label}</option>)}
      </select>
    </label>
  );
}

export function TextField(props: {
  id?: string; name: string; label: string; value?: string; type?: 'text' | 'password' | 'number' | 'search';
  required?: boolean; autocomplete?: string; hint?: string; min?: number; max?: number; minlength?: number; inputmode?: "numeric" | "text"; hideLabel?: boolean;
}) {
  const id = props.id ?? `f-${props.name}`;
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <label for={id} class={props.hideLabel ? 'compact' : undefined}>
      <span class={props.hideLabel ? 'visually-hidden' : undefined}>{props.label}</span>
      <input id={id} name={props.name} type={props.type ?? 'text'} value={props.value} required={props.required} autocomplete={props.autocomplete}
        aria-describedby={hintId} min={props.min} max={props.max} minlength={props.minlength} inputmode={props.inputmode} />
      {props.hint && <small id={hintId}>{props.hint}</small>}
    </label>
  );
}

/** A GET filter form above a table: its fields, Filter and Reset. */
export function FilterBar({ ui, action, children }: { ui: Ui; action: string; children?: Child }) {
  return (
    <form method="get" action={action} class="filters" aria-label={ui.t('filters.label')}>
      <div class="filter-fields">{children}</div>
      <div class="filter-actions">
        <button type="submit" class="small">{ui.t('filters.apply')}</button>
        <a href={action} class="small secondary" role="button">{ui.t('filters.reset')}</a>
      </div>
    </form>
  );
}

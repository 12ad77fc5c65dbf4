import type { Child } from 'hono/jsx';

export interface Column<T> {
  /** Header text (already translated). */
  header: string;
  cell(row: T): Child;
  /** CSS class of the column's cells (e.g. 'num', 'nowrap'). */
  class?: string;
}

/** A data table: caption for screen readers, column headers with scope, an empty state in one row. */
export function DataTable<T>({ caption, columns, rows, empty, id }: { caption: string; columns: Column<T>[]; rows: T[]; empty: string; id?: string }) {
  return (
    <div class="table-wrap" id={id}>
      <table class="striped">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>{columns.map((c) => <th scope="col" class={c.class}>{c.header}</th>)}</tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr><td colspan={columns.length} class="empty">{empty}</td></tr>
          ) : (
            rows.map((row) => <tr>{columns.map((c) => <td class={c.class}>{c.cell(row)}</td>)}</tr>)
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A definition list of label/value pairs (detail pages). */
export function Details({ items }: { items: [string, Child][] }) {
  return (
    <dl class="details">
      {items.map(([label, value]) => (
        <>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </>
      ))}
    </dl>
  );
}

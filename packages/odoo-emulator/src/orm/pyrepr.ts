/**
 * Python's `repr` of JSON values, as Odoo prints them inside error messages ("Invalid leaf ('name', 'like like',
 * 'x')", "Domain ['|', ['name', '=', 'x']] is syntactically not correct.").
 */
export function pyRepr(value: unknown, asTuple = false): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return pyStr(value);
  if (Array.isArray(value)) {
    const inner = value.map((v) => pyRepr(v)).join(', ');
    if (asTuple) return value.length === 1 ? `(${inner},)` : `(${inner})`;
    return `[${inner}]`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyStr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** Python's repr() of a str (also used by the emulator's small Python interpreter). */
export function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return quote + out + quote;
}

/** `sale.order(28, 25)`, `res.partner(3,)`, `account.tax()`: how Odoo prints a recordset. */
export function recordsetRepr(model: string, ids: readonly number[]): string {
  if (ids.length === 1) return `${model}(${ids[0]},)`;
  return `${model}(${ids.join(', ')})`;
}

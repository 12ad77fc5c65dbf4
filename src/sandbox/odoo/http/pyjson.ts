/**
 * JSON written the way Odoo's Python writes it: `", "` and `": "` separators, non-ASCII escaped (`ensure_ascii`),
 * and floats that hold a whole number spelled `750.0`. Values that are Python floats are wrapped in `PyFloat` by the
 * ORM's read formatting; plain numbers are written as JavaScript writes them (ints, or floats with a fraction, which
 * both languages print as the shortest round-trip form).
 */
export class PyFloat {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}

export const pyFloat = (value: number): PyFloat => new PyFloat(value);

export function pyJson(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

function write(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(quote(value));
  } else if (typeof value === 'number') {
    out.push(Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN');
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (value instanceof PyFloat) {
    out.push(floatRepr(value.value));
  } else if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i) out.push(', ');
      write(value[i], out);
    }
    out.push(']');
  } else if (typeof value === 'object') {
    out.push('{');
    let first = true;
    for (const key of Object.keys(value as object)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      if (!first) out.push(', ');
      first = false;
      out.push(quote(key), ': ');
      write(v, out);
    }
    out.push('}');
  } else {
    out.push(quote(String(value)));
  }
}

/** Python's repr of a float: `750.0`, `0.1`, `1e-07`, `1e+16`. */
export function floatRepr(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  const s = String(n);
  // JavaScript: 1e-7 / 1e+21; Python: 1e-07 / 1e+21 (two-digit exponent at least).
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function quote(s: string): string {
  // Fast path: plain ASCII without anything to escape.
  if (/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const esc = ESCAPES[ch];
    if (esc) out += esc;
    else {
      const code = ch.codePointAt(0)!;
      if (code < 0x20 || code > 0x7e) {
        if (code > 0xffff) {
          const hi = Math.floor((code - 0x10000) / 0x400) + 0xd800;
          const lo = ((code - 0x10000) % 0x400) + 0xdc00;
          out += `\\u${hi.toString(16).padStart(4, '0')}\\u${lo.toString(16).padStart(4, '0')}`;
        } else out += `\\u${code.toString(16).padStart(4, '0')}`;
      } else out += ch;
    }
  }
  return out + '"';
}

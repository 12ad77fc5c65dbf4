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

/**
 * Fast path: JSON.stringify (native) with floats marked, then Python's spacing, `.0` floats and ASCII escapes applied
 * by regular expressions over the text (strings are matched whole, so their content is never touched).
 */
export function pyJson(value: unknown): string {
  return pyJsonBuffer(value).toString('latin1');
}

/** The bytes of `pyJson(value)` (ASCII), built without intermediate strings (pages of 5,000 records are large). */
export function pyJsonBuffer(value: unknown): Buffer {
  // `this[key]` is the value before toJSON ran (PyFloat.toJSON gives a plain number to other serializers).
  let compact = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = key === '' ? value : this[key];
    return original instanceof PyFloat ? `${FLOAT_MARK}${floatRepr(original.value)}` : v;
  });
  if (compact === undefined) compact = 'null';
  if (NON_ASCII.test(compact)) compact = compact.replace(NON_ASCII_G, escapeChar);
  return pythonSpacing(Buffer.from(compact, 'latin1'));
}

const FLOAT_MARK = '\u0000F';
const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_G = /[^\x00-\x7f]/g;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const SPACE = 32;
/** `\u0000F` as JSON.stringify writes it after the opening quote of a marked float. */
const MARK = Buffer.from('\\u0000F', 'latin1');

/** `, ` and `: ` outside strings, and marked floats unwrapped (`"\u0000F750.0"` → `750.0`), over bytes. */
function pythonSpacing(src: Buffer): Buffer {
  const n = src.length;
  let separators = 0;
  for (let i = 0; i < n; i++) {
    const c = src[i];
    if (c === QUOTE) {
      i++;
      while (i < n && src[i] !== QUOTE) i += src[i] === BACKSLASH ? 2 : 1;
    } else if (c === COMMA || c === COLON) separators++;
  }
  const out = Buffer.allocUnsafe(n + separators);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = src[i];
    if (c === QUOTE) {
      const start = i;
      i++;
      while (i < n && src[i] !== QUOTE) i += src[i] === BACKSLASH ? 2 : 1;
      if (i - start > MARK.length && src.compare(MARK, 0, MARK.length, start + 1, start + 1 + MARK.length) === 0) {
        o += src.copy(out, o, start + 1 + MARK.length, i);
      } else o += src.copy(out, o, start, i + 1);
    } else {
      out[o++] = c;
      if (c === COMMA || c === COLON) out[o++] = SPACE;
    }
  }
  return out.subarray(0, o);
}

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The reference implementation (slow, exact); kept for tests of the fast path. */
export function pyJsonSlow(value: unknown): string {
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

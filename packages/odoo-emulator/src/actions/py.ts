/**
 * A small Python subset, enough to run the code of server actions the way Odoo's `safe_eval` runs it: statements
 * (`=`, `+=`, `if/elif/else`, `for`, `pass`, `raise`, expression statements), expressions (literals, lists, tuples,
 * dicts, attribute access, calls with keyword arguments, subscripts, `%` formatting, arithmetic, comparisons, `in`,
 * `and/or/not`, conditional expressions). What `safe_eval` forbids (imports, dunder names, `def`, `lambda`...) is
 * refused the way Odoo refuses it; what is valid Python but outside this subset is refused with an explicit
 * "not supported by the emulator" error. Objects of the host (records, env, datetime) implement `PyObject`.
 */
import { pyStr } from '../orm/pyrepr.ts';

// ---------------------------------------------------------------- values

export interface PyObject {
  readonly pyType: string;
  getattr?(name: string): PyValue | undefined;
  setattr?(name: string, value: PyValue): void;
  call?(args: PyValue[], kwargs: Map<string, PyValue>): PyValue;
  iter?(): PyValue[];
  truthy?(): boolean;
  getitem?(key: PyValue): PyValue;
  len?(): number;
  repr?(): string;
  str?(): string;
  eq?(other: PyValue): boolean;
  contains?(item: PyValue): boolean;
}

export type PyValue = null | boolean | number | string | PyList | PyTuple | PyDict | PyObject;

export class PyList { readonly kind = 'list'; constructor(public items: PyValue[]) {} }
export class PyTuple { readonly kind = 'tuple'; constructor(public items: PyValue[]) {} }
/** Python `bytes` (report contents, base64 values): a host buffer. */
export class PyBytes implements PyObject {
  readonly pyType = 'bytes';
  constructor(readonly data: Buffer) {}
  len(): number { return this.data.length; }
  truthy(): boolean { return this.data.length > 0; }
  eq(other: PyValue): boolean { return other instanceof PyBytes && other.data.equals(this.data); }
  add(other: PyValue): PyValue {
    if (!(other instanceof PyBytes)) throw new PyError('TypeError', `can't concat ${typeName(other)} to bytes`);
    return new PyBytes(Buffer.concat([this.data, other.data]));
  }
  repr(): string {
    const head = this.data.subarray(0, 60);
    let body = '';
    for (const b of head) body += b === 0x27 || b === 0x5c ? `\\${String.fromCharCode(b)}` : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x0a ? '\\n' : `\\x${b.toString(16).padStart(2, '0')}`;
    return `b'${body}${this.data.length > head.length ? '...' : ''}'`;
  }
  getattr(name: string): PyValue | undefined {
    switch (name) {
      case 'decode': return new PyFunction('decode', ([encoding]) => this.data.toString(String(encoding ?? 'utf-8').toLowerCase().replace('-', '') === 'latin1' ? 'latin1' : 'utf8'));
      case 'startswith': return new PyFunction('startswith', ([prefix]) => prefix instanceof PyBytes && this.data.subarray(0, prefix.data.length).equals(prefix.data));
    }
    return undefined;
  }
}

export class PyDict {
  readonly kind = 'dict';
  readonly entries = new Map<string, [PyValue, PyValue]>();
  get(key: PyValue): PyValue | undefined { return this.entries.get(hashKey(key))?.[1]; }
  set(key: PyValue, value: PyValue): void { this.entries.set(hashKey(key), [key, value]); }
  has(key: PyValue): boolean { return this.entries.has(hashKey(key)); }
}

/** A Python exception raised by the interpreted code (its class name and message). */
export class PyError extends Error {
  constructor(readonly pyType: string, message: string, readonly line = 0) {
    super(message);
    this.name = 'PyError';
  }
}

/** Code `safe_eval` would not even compile (forbidden names or opcodes), or a syntax error. */
export class PyCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PyCompileError';
  }
}

function hashKey(key: PyValue): string {
  if (key === null) return 'N';
  if (typeof key === 'boolean') return key ? 'n1' : 'n0';
  if (typeof key === 'number') return `n${key}`;
  if (typeof key === 'string') return `s${key}`;
  if (key instanceof PyTuple) return `t(${key.items.map(hashKey).join(',')})`;
  throw new PyError('TypeError', `unhashable type: '${typeName(key)}'`);
}

/** `base64.b64encode` / `b64decode` as server-action code gets them. */
export function base64Functions(): [PyFunction, PyFunction] {
  const bytesOf = (v: PyValue, fn: string): Buffer => {
    if (v instanceof PyBytes) return v.data;
    if (typeof v === 'string' && fn === 'b64decode') return Buffer.from(v, 'latin1');
    throw new PyError('TypeError', `a bytes-like object is required, not '${typeName(v)}'`);
  };
  return [
    new PyFunction('b64encode', ([v]) => new PyBytes(Buffer.from(bytesOf(v ?? null, 'b64encode').toString('base64'), 'latin1'))),
    new PyFunction('b64decode', ([v]) => new PyBytes(Buffer.from(bytesOf(v ?? null, 'b64decode').toString('latin1'), 'base64'))),
  ];
}

export function typeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (v instanceof PyList) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return 'dict';
  return (v as PyObject).pyType;
}

export function truthy(v: PyValue): boolean {
  if (v === null || v === false || v === 0 || v === '') return false;
  if (v === true || typeof v === 'number' || typeof v === 'string') return true;
  if (v instanceof PyList || v instanceof PyTuple) return v.items.length > 0;
  if (v instanceof PyDict) return v.entries.size > 0;
  const o = v as PyObject;
  if (o.truthy) return o.truthy();
  if (o.len) return o.len() > 0;
  return true;
}


function numRepr(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(n);
}

export function repr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return numRepr(v);
  if (typeof v === 'string') return pyStr(v);
  if (v instanceof PyList) return `[${v.items.map(repr).join(', ')}]`;
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${repr(v.items[0])},)` : `(${v.items.map(repr).join(', ')})`;
  if (v instanceof PyDict) return `{${[...v.entries.values()].map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(', ')}}`;
  const o = v as PyObject;
  return o.repr ? o.repr() : `<${o.pyType} object>`;
}

export function str(v: PyValue): string {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && !(v instanceof PyList) && !(v instanceof PyTuple) && !(v instanceof PyDict) && (v as PyObject).str) return (v as PyObject).str!();
  return repr(v);
}

export function pyEquals(a: PyValue, b: PyValue): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'boolean') return a === (b ? 1 : 0);
  if (typeof a === 'boolean' && typeof b === 'number') return (a ? 1 : 0) === b;
  if ((a instanceof PyList && b instanceof PyList) || (a instanceof PyTuple && b instanceof PyTuple)) {
    return a.items.length === b.items.length && a.items.every((x, i) => pyEquals(x, b.items[i]));
  }
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.entries.size !== b.entries.size) return false;
    for (const [k, [, v]] of a.entries) { const o = b.entries.get(k); if (!o || !pyEquals(v, o[1])) return false; }
    return true;
  }
  if (a !== null && typeof a === 'object' && 'pyType' in a && (a as PyObject).eq) return (a as PyObject).eq!(b);
  return false;
}

export function iterate(v: PyValue): PyValue[] {
  if (typeof v === 'string') return [...v];
  if (v instanceof PyList || v instanceof PyTuple) return [...v.items];
  if (v instanceof PyDict) return [...v.entries.values()].map(([k]) => k);
  if (v !== null && typeof v === 'object' && (v as PyObject).iter) return (v as PyObject).iter!();
  throw new PyError('TypeError', `'${typeName(v)}' object is not iterable`);
}

/** `fmt % args` with %s, %r, %d, %i, %f and %%. */
export function percentFormat(fmt: string, args: PyValue): string {
  const list = args instanceof PyTuple ? args.items : [args];
  const dict = args instanceof PyDict ? args : null;
  let i = 0;
  const out = fmt.replace(/%(\(([^)]*)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sridf%])/g, (_m, _g, key: string | undefined, _flags, _width, precision: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let value: PyValue;
    if (key !== undefined) {
      if (!dict) throw new PyError('TypeError', 'format requires a mapping');
      const v = dict.get(key);
      if (v === undefined) throw new PyError('KeyError', repr(key));
      value = v;
    } else {
      if (i >= list.length) throw new PyError('TypeError', 'not enough arguments for format string');
      value = list[i++];
    }
    if (conv === 's') return str(value);
    if (conv === 'r') return repr(value);
    const n = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    if (typeof n !== 'number') throw new PyError('TypeError', `%${conv} format: a real number is required, not ${typeName(value)}`);
    if (conv === 'f') return n.toFixed(precision === undefined ? 6 : Number(precision));
    return String(Math.trunc(n));
  });
  if (!dict && i < list.length) throw new PyError('TypeError', 'not all arguments converted during string formatting');
  return out;
}

// ---------------------------------------------------------------- tokens

type TokType = 'name' | 'num' | 'str' | 'op' | 'newline' | 'indent' | 'dedent' | 'end';
interface Tok { t: TokType; v: string; line: number; num?: number }

const KEYWORDS_FORBIDDEN = new Set(['import', 'from', 'def', 'class', 'lambda', 'while', 'with', 'try', 'except', 'finally', 'global', 'nonlocal', 'yield', 'async', 'await', 'del', 'assert', 'return']);

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  const indents = [0];
  let depth = 0;
  let line = 1;
  let i = 0;
  let atLineStart = true;
  while (i < src.length) {
    if (atLineStart && depth === 0) {
      let col = 0;
      let j = i;
      while (j < src.length && (src[j] === ' ' || src[j] === '\t')) { col += src[j] === '\t' ? 8 - (col % 8) : 1; j++; }
      if (j >= src.length) { i = j; break; }
      if (src[j] === '\n' || src[j] === '#' || src[j] === '\r') {
        // Blank or comment-only line: no indentation change.
        while (j < src.length && src[j] !== '\n') j++;
        i = j + 1;
        line++;
        continue;
      }
      if (col > indents[indents.length - 1]) { indents.push(col); toks.push({ t: 'indent', v: '', line }); }
      while (col < indents[indents.length - 1]) {
        indents.pop();
        toks.push({ t: 'dedent', v: '', line });
      }
      if (col !== indents[indents.length - 1]) throw new PyCompileError(`IndentationError : unindent does not match any outer indentation level at line ${line}`);
      i = j;
      atLineStart = false;
    }
    const c = src[i];
    if (c === '\n') {
      if (depth === 0) { toks.push({ t: 'newline', v: '', line }); atLineStart = true; }
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '\\' && src[i + 1] === '\n') { i += 2; line++; continue; }
    const strStart = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (strStart && (strStart[1] === '' || /^[rRuU]$/.test(strStart[1]))) {
      const raw = /[rR]/.test(strStart[1]);
      const q = strStart[2];
      let j = i + strStart[0].length;
      let value = '';
      for (;;) {
        if (j >= src.length) throw new PyCompileError(`SyntaxError : unterminated string literal at line ${line}`);
        if (src.startsWith(q, j)) { j += q.length; break; }
        const ch = src[j];
        if (ch === '\n') {
          if (q.length === 1) throw new PyCompileError(`SyntaxError : unterminated string literal at line ${line}`);
          line++;
        }
        if (ch === '\\' && !raw) {
          const n = src[j + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', '\n': '' };
          if (n in map) { value += map[n]; if (n === '\n') line++; j += 2; continue; }
          if (n === 'x') { value += String.fromCharCode(parseInt(src.slice(j + 2, j + 4), 16)); j += 4; continue; }
          if (n === 'u') { value += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16)); j += 6; continue; }
          value += ch;
          j++;
          continue;
        }
        value += ch;
        j++;
      }
      toks.push({ t: 'str', v: value, line });
      i = j;
      continue;
    }
    if (strStart) throw new PyCompileError(`the Odoo emulator does not support ${strStart[1]}-strings (line ${line})`);
    const num = /^(0[xX][0-9a-fA-F]+|\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)/.exec(src.slice(i));
    if (num) {
      toks.push({ t: 'num', v: num[0], line, num: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      toks.push({ t: 'name', v: name[0], line });
      i += name[0].length;
      continue;
    }
    const op = /^(\*\*=|\/\/=|\*\*|\/\/|==|!=|<=|>=|\+=|-=|\*=|\/=|%=|->|[-+*\/%<>=()[\]{},:.;@|&^~])/.exec(src.slice(i));
    if (!op) throw new PyCompileError(`SyntaxError : invalid character ${JSON.stringify(c)} at line ${line}`);
    if ('([{'.includes(op[0])) depth++;
    if (')]}'.includes(op[0])) depth = Math.max(0, depth - 1);
    toks.push({ t: 'op', v: op[0], line });
    i += op[0].length;
  }
  if (toks.length && toks[toks.length - 1].t !== 'newline') toks.push({ t: 'newline', v: '', line });
  while (indents.length > 1) { indents.pop(); toks.push({ t: 'dedent', v: '', line }); }
  toks.push({ t: 'end', v: '', line });
  return toks;
}

/**
 * The names an expression reads (not attributes after a dot, not called functions, not keywords): what Odoo looks
 * for when it checks that the fields a view expression uses are in the view.
 */
export function expressionNames(expr: string): string[] {
  let toks: Tok[];
  try {
    toks = tokenize(expr);
  } catch {
    return [];
  }
  const out: string[] = [];
  const skip = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'True', 'False', 'None', 'for', 'lambda']);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.t !== 'name' || skip.has(t.v)) continue;
    const prev = toks[i - 1];
    const next = toks[i + 1];
    if (prev && prev.t === 'op' && prev.v === '.') continue;
    if (next && next.t === 'op' && next.v === '(') continue;
    if (!out.includes(t.v)) out.push(t.v);
  }
  return out;
}

// ---------------------------------------------------------------- syntax tree

type Node =
  | { k: 'const'; v: PyValue }
  | { k: 'name'; id: string; line: number }
  | { k: 'list' | 'tuple'; items: Node[] }
  | { k: 'dict'; pairs: [Node, Node][] }
  | { k: 'attr'; obj: Node; name: string; line: number }
  | { k: 'call'; fn: Node; args: Node[]; kwargs: [string, Node][]; line: number }
  | { k: 'sub'; obj: Node; index: Node; line: number }
  | { k: 'bin'; op: string; a: Node; b: Node; line: number }
  | { k: 'unary'; op: string; a: Node }
  | { k: 'cmp'; ops: string[]; items: Node[]; line: number }
  | { k: 'bool'; op: 'and' | 'or'; a: Node; b: Node }
  | { k: 'ifexp'; test: Node; body: Node; orelse: Node };

type Stmt =
  | { k: 'expr'; e: Node; line: number }
  | { k: 'assign'; targets: Node[]; e: Node; line: number }
  | { k: 'aug'; target: Node; op: string; e: Node; line: number }
  | { k: 'if'; tests: [Node, Stmt[]][]; orelse: Stmt[] | null }
  | { k: 'for'; names: string[]; iter: Node; body: Stmt[]; line: number }
  | { k: 'pass' | 'break' | 'continue'; line: number }
  | { k: 'raise'; e: Node | null; line: number };

class PyParser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(o = 0): Tok { return this.toks[this.i + o]; }
  private next(): Tok { return this.toks[this.i++]; }
  private isOp(v: string): boolean { const t = this.peek(); return t.t === 'op' && t.v === v; }
  private isKw(v: string): boolean { const t = this.peek(); return t.t === 'name' && t.v === v; }
  private expectOp(v: string): void {
    if (!this.isOp(v)) this.syntax(`expected '${v}'`);
    this.i++;
  }
  private syntax(msg: string): never {
    const t = this.peek();
    throw new PyCompileError(`SyntaxError : ${msg} at line ${t.line}`);
  }

  file(): Stmt[] {
    const out: Stmt[] = [];
    while (this.peek().t !== 'end') {
      if (this.peek().t === 'newline') { this.i++; continue; }
      out.push(...this.statement());
    }
    return out;
  }

  private statement(): Stmt[] {
    const t = this.peek();
    if (t.t === 'indent') this.syntax('unexpected indent');
    if (t.t === 'name') {
      if (KEYWORDS_FORBIDDEN.has(t.v)) {
        if (t.v === 'import' || t.v === 'from') throw new PyCompileError(FORBIDDEN_IMPORT);
        throw new PyCompileError(`the Odoo emulator does not support '${t.v}' in server action code (line ${t.line})`);
      }
      if (t.v === 'if') return [this.ifStmt()];
      if (t.v === 'for') return [this.forStmt()];
    }
    const out = [this.simple()];
    while (this.isOp(';')) { this.i++; if (this.peek().t === 'newline') break; out.push(this.simple()); }
    if (this.peek().t !== 'newline' && this.peek().t !== 'end') this.syntax('invalid syntax');
    if (this.peek().t === 'newline') this.i++;
    return out;
  }

  private simple(): Stmt {
    const t = this.peek();
    if (t.t === 'name' && (t.v === 'pass' || t.v === 'break' || t.v === 'continue')) { this.i++; return { k: t.v, line: t.line }; }
    if (t.t === 'name' && t.v === 'raise') {
      this.i++;
      const e = this.peek().t === 'newline' ? null : this.expr();
      return { k: 'raise', e, line: t.line };
    }
    const first = this.exprList();
    const aug = this.peek();
    if (aug.t === 'op' && ['+=', '-=', '*=', '/=', '%='].includes(aug.v)) {
      this.i++;
      this.checkTarget(first);
      return { k: 'aug', target: first, op: aug.v[0], e: this.exprList(), line: t.line };
    }
    if (this.isOp('=')) {
      const targets = [first];
      let value: Node = first;
      while (this.isOp('=')) { this.i++; value = this.exprList(); targets.push(value); }
      targets.pop();
      for (const target of targets) this.checkTarget(target);
      return { k: 'assign', targets, e: value, line: t.line };
    }
    return { k: 'expr', e: first, line: t.line };
  }

  private checkTarget(n: Node): void {
    if (n.k === 'name' || n.k === 'attr' || n.k === 'sub') return;
    if (n.k === 'tuple' || n.k === 'list') { n.items.forEach((x) => this.checkTarget(x)); return; }
    throw new PyCompileError('SyntaxError : cannot assign to expression');
  }

  private suite(): Stmt[] {
    this.expectOp(':');
    if (this.peek().t !== 'newline') {
      const out = [this.simple()];
      while (this.isOp(';')) { this.i++; out.push(this.simple()); }
      if (this.peek().t === 'newline') this.i++;
      return out;
    }
    this.i++;
    if (this.peek().t !== 'indent') this.syntax('expected an indented block');
    this.i++;
    const body: Stmt[] = [];
    while (this.peek().t !== 'dedent' && this.peek().t !== 'end') {
      if (this.peek().t === 'newline') { this.i++; continue; }
      body.push(...this.statement());
    }
    if (this.peek().t === 'dedent') this.i++;
    return body;
  }

  private ifStmt(): Stmt {
    this.i++;
    const tests: [Node, Stmt[]][] = [[this.expr(), this.suite()]];
    let orelse: Stmt[] | null = null;
    for (;;) {
      if (this.isKw('elif')) { this.i++; tests.push([this.expr(), this.suite()]); continue; }
      if (this.isKw('else')) { this.i++; orelse = this.suite(); }
      break;
    }
    return { k: 'if', tests, orelse };
  }

  private forStmt(): Stmt {
    const line = this.next().line;
    const names: string[] = [];
    for (;;) {
      const n = this.next();
      if (n.t !== 'name') this.syntax('expected a name after for');
      names.push(n.v);
      if (this.isOp(',')) { this.i++; continue; }
      break;
    }
    if (!this.isKw('in')) this.syntax("expected 'in'");
    this.i++;
    const iter = this.exprList();
    return { k: 'for', names, iter, body: this.suite(), line };
  }

  private exprList(): Node {
    const first = this.expr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.i++;
      if (this.peek().t === 'newline' || this.isOp('=') || this.isOp(')')) break;
      items.push(this.expr());
    }
    return { k: 'tuple', items };
  }

  expr(): Node {
    if (this.isKw('lambda')) throw new PyCompileError('the Odoo emulator does not support lambda in server action code');
    const body = this.orExpr();
    if (this.isKw('if')) {
      this.i++;
      const test = this.orExpr();
      if (!this.isKw('else')) this.syntax("expected 'else'");
      this.i++;
      return { k: 'ifexp', test, body, orelse: this.expr() };
    }
    return body;
  }

  private orExpr(): Node {
    let a = this.andExpr();
    while (this.isKw('or')) { this.i++; a = { k: 'bool', op: 'or', a, b: this.andExpr() }; }
    return a;
  }
  private andExpr(): Node {
    let a = this.notExpr();
    while (this.isKw('and')) { this.i++; a = { k: 'bool', op: 'and', a, b: this.notExpr() }; }
    return a;
  }
  private notExpr(): Node {
    if (this.isKw('not')) { this.i++; return { k: 'unary', op: 'not', a: this.notExpr() }; }
    return this.comparison();
  }
  private comparison(): Node {
    const line = this.peek().line;
    const first = this.arith();
    const ops: string[] = [];
    const items = [first];
    for (;;) {
      const t = this.peek();
      let op: string | null = null;
      if (t.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) { op = t.v; this.i++; }
      else if (t.t === 'name' && t.v === 'in') { op = 'in'; this.i++; }
      else if (t.t === 'name' && t.v === 'not' && this.peek(1).t === 'name' && this.peek(1).v === 'in') { op = 'not in'; this.i += 2; }
      else if (t.t === 'name' && t.v === 'is') {
        this.i++;
        if (this.isKw('not')) { this.i++; op = 'is not'; } else op = 'is';
      }
      if (!op) break;
      ops.push(op);
      items.push(this.arith());
    }
    return ops.length ? { k: 'cmp', ops, items, line } : first;
  }
  private arith(): Node {
    let a = this.term();
    while (this.isOp('+') || this.isOp('-')) { const t = this.next(); a = { k: 'bin', op: t.v, a, b: this.term(), line: t.line }; }
    return a;
  }
  private term(): Node {
    let a = this.factor();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) { const t = this.next(); a = { k: 'bin', op: t.v, a, b: this.factor(), line: t.line }; }
    return a;
  }
  private factor(): Node {
    if (this.isOp('-') || this.isOp('+')) { const op = this.next().v; return { k: 'unary', op, a: this.factor() }; }
    return this.power();
  }
  private power(): Node {
    const a = this.primary();
    if (this.isOp('**')) { const t = this.next(); return { k: 'bin', op: '**', a, b: this.factor(), line: t.line }; }
    return a;
  }

  private primary(): Node {
    let node = this.atom();
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const n = this.next();
        if (n.t !== 'name') this.syntax('expected an attribute name');
        if (n.v.startsWith('__')) throw new PyCompileError(`Access to forbidden name '${n.v}'`);
        node = { k: 'attr', obj: node, name: n.v, line: n.line };
      } else if (this.isOp('(')) {
        const line = this.next().line;
        const args: Node[] = [];
        const kwargs: [string, Node][] = [];
        while (!this.isOp(')')) {
          if (this.isOp('*') || this.isOp('**')) throw new PyCompileError('the Odoo emulator does not support * or ** arguments');
          if (this.peek().t === 'name' && this.peek(1).t === 'op' && this.peek(1).v === '=') {
            const name = this.next().v;
            this.i++;
            kwargs.push([name, this.expr()]);
          } else {
            if (kwargs.length) this.syntax('positional argument follows keyword argument');
            args.push(this.expr());
          }
          if (this.isOp(',')) this.i++;
          else break;
        }
        this.expectOp(')');
        node = { k: 'call', fn: node, args, kwargs, line };
      } else if (this.isOp('[')) {
        const line = this.next().line;
        if (this.isOp(':') || this.peek(1).t === 'op' && this.peek(1).v === ':') throw new PyCompileError('the Odoo emulator does not support slices');
        const index = this.exprList();
        this.expectOp(']');
        node = { k: 'sub', obj: node, index, line };
      } else return node;
    }
  }

  private atom(): Node {
    const t = this.next();
    if (t.t === 'num') return { k: 'const', v: t.num! };
    if (t.t === 'str') {
      let v = t.v;
      while (this.peek().t === 'str') v += this.next().v;
      return { k: 'const', v };
    }
    if (t.t === 'name') {
      if (t.v === 'True') return { k: 'const', v: true };
      if (t.v === 'False') return { k: 'const', v: false };
      if (t.v === 'None') return { k: 'const', v: null };
      if (t.v.startsWith('__')) throw new PyCompileError(`Access to forbidden name '${t.v}'`);
      return { k: 'name', id: t.v, line: t.line };
    }
    if (t.t === 'op') {
      if (t.v === '(') {
        if (this.isOp(')')) { this.i++; return { k: 'tuple', items: [] }; }
        const first = this.expr();
        if (this.isKw('for')) throw new PyCompileError('the Odoo emulator does not support comprehensions');
        if (this.isOp(')')) { this.i++; return first; }
        const items = [first];
        while (this.isOp(',')) { this.i++; if (this.isOp(')')) break; items.push(this.expr()); }
        this.expectOp(')');
        return { k: 'tuple', items };
      }
      if (t.v === '[') {
        const items: Node[] = [];
        while (!this.isOp(']')) {
          items.push(this.expr());
          if (this.isKw('for')) throw new PyCompileError('the Odoo emulator does not support comprehensions');
          if (this.isOp(',')) this.i++; else break;
        }
        this.expectOp(']');
        return { k: 'list', items };
      }
      if (t.v === '{') {
        const pairs: [Node, Node][] = [];
        while (!this.isOp('}')) {
          const key = this.expr();
          if (!this.isOp(':')) throw new PyCompileError('the Odoo emulator does not support sets');
          this.i++;
          pairs.push([key, this.expr()]);
          if (this.isKw('for')) throw new PyCompileError('the Odoo emulator does not support comprehensions');
          if (this.isOp(',')) this.i++; else break;
        }
        this.expectOp('}');
        return { k: 'dict', pairs };
      }
    }
    this.i--;
    return this.syntax('invalid syntax');
  }
}

const FORBIDDEN_IMPORT = 'IMPORT_NAME';

/** Parses code as `safe_eval(..., mode="exec")` would compile it; throws PyCompileError with Odoo's wording. */
export function compilePy(code: string): Stmt[] {
  try {
    return new PyParser(tokenize(code)).file();
  } catch (error) {
    if (error instanceof PyCompileError && error.message === FORBIDDEN_IMPORT) {
      // safe_eval names the opcodes it refuses: `from x import y` compiles to IMPORT_NAME and IMPORT_FROM.
      const opcodes = /(^|\n)\s*from\s/.test(code) ? 'IMPORT_NAME, IMPORT_FROM' : 'IMPORT_NAME';
      throw new PyCompileError(`forbidden opcode(s) in ${repr(code)}: ${opcodes}`);
    }
    throw error;
  }
}

// ---------------------------------------------------------------- evaluation

class Break {}
class Continue {}

export type Scope = Map<string, PyValue>;

export class PyInterpreter {
  constructor(private readonly scope: Scope, private readonly builtins: Map<string, PyValue>) {}

  run(stmts: Stmt[]): void {
    for (const s of stmts) this.exec(s);
  }

  private exec(s: Stmt): void {
    switch (s.k) {
      case 'expr': this.eval(s.e); return;
      case 'assign': {
        const v = this.eval(s.e);
        for (const t of s.targets) this.assign(t, v);
        return;
      }
      case 'aug': {
        const cur = this.eval(s.target);
        this.assign(s.target, this.binop(s.op, cur, this.eval(s.e), s.line));
        return;
      }
      case 'if': {
        for (const [test, body] of s.tests) if (truthy(this.eval(test))) { this.run(body); return; }
        if (s.orelse) this.run(s.orelse);
        return;
      }
      case 'for': {
        for (const item of iterate(this.eval(s.iter))) {
          if (s.names.length === 1) this.scope.set(s.names[0], item);
          else {
            const parts = iterate(item);
            if (parts.length !== s.names.length) throw new PyError('ValueError', `not enough values to unpack (expected ${s.names.length}, got ${parts.length})`, s.line);
            s.names.forEach((n, i) => this.scope.set(n, parts[i]));
          }
          try {
            this.run(s.body);
          } catch (e) {
            if (e instanceof Break) break;
            if (e instanceof Continue) continue;
            throw e;
          }
        }
        return;
      }
      case 'pass': return;
      case 'break': throw new Break();
      case 'continue': throw new Continue();
      case 'raise': {
        const v = s.e ? this.eval(s.e) : null;
        const o = v as PyObject | null;
        if (o && typeof o === 'object' && 'pyType' in o && (o as PyObject & { raise?: () => never }).raise) (o as PyObject & { raise: () => never }).raise();
        throw new PyError('TypeError', 'exceptions must derive from BaseException', s.line);
      }
    }
  }

  private assign(target: Node, v: PyValue): void {
    if (target.k === 'name') { this.scope.set(target.id, v); return; }
    if (target.k === 'tuple' || target.k === 'list') {
      const parts = iterate(v);
      if (parts.length !== target.items.length) throw new PyError('ValueError', `not enough values to unpack (expected ${target.items.length}, got ${parts.length})`);
      target.items.forEach((t, i) => this.assign(t, parts[i]));
      return;
    }
    if (target.k === 'sub') {
      const obj = this.eval(target.obj);
      const key = this.eval(target.index);
      if (obj instanceof PyDict) { obj.set(key, v); return; }
      if (obj instanceof PyList && typeof key === 'number') {
        const i = key < 0 ? obj.items.length + key : key;
        if (i < 0 || i >= obj.items.length) throw new PyError('IndexError', 'list assignment index out of range');
        obj.items[i] = v;
        return;
      }
      throw new PyError('TypeError', `'${typeName(obj)}' object does not support item assignment`);
    }
    if (target.k === 'attr') {
      const obj = this.eval(target.obj);
      const o = obj as PyObject;
      if (o && typeof o === 'object' && 'pyType' in o && o.setattr) { o.setattr(target.name, v); return; }
      throw new PyError('AttributeError', `'${typeName(obj)}' object attribute '${target.name}' is read-only`);
    }
  }

  eval(n: Node): PyValue {
    switch (n.k) {
      case 'const': return n.v;
      case 'name': {
        if (this.scope.has(n.id)) return this.scope.get(n.id)!;
        if (this.builtins.has(n.id)) return this.builtins.get(n.id)!;
        throw new PyError('NameError', `name '${n.id}' is not defined`, n.line);
      }
      case 'list': return new PyList(n.items.map((x) => this.eval(x)));
      case 'tuple': return new PyTuple(n.items.map((x) => this.eval(x)));
      case 'dict': {
        const d = new PyDict();
        for (const [k, v] of n.pairs) d.set(this.eval(k), this.eval(v));
        return d;
      }
      case 'attr': return getAttr(this.eval(n.obj), n.name);
      case 'call': {
        const fn = this.eval(n.fn);
        const args = n.args.map((a) => this.eval(a));
        const kwargs = new Map(n.kwargs.map(([k, v]) => [k, this.eval(v)] as [string, PyValue]));
        return callValue(fn, args, kwargs);
      }
      case 'sub': return getItem(this.eval(n.obj), this.eval(n.index));
      case 'bin': return this.binop(n.op, this.eval(n.a), this.eval(n.b), n.line);
      case 'unary': {
        const a = this.eval(n.a);
        if (n.op === 'not') return !truthy(a);
        if (typeof a !== 'number' && typeof a !== 'boolean') throw new PyError('TypeError', `bad operand type for unary ${n.op}: '${typeName(a)}'`);
        return n.op === '-' ? -Number(a) : Number(a);
      }
      case 'bool': {
        const a = this.eval(n.a);
        if (n.op === 'and') return truthy(a) ? this.eval(n.b) : a;
        return truthy(a) ? a : this.eval(n.b);
      }
      case 'ifexp': return truthy(this.eval(n.test)) ? this.eval(n.body) : this.eval(n.orelse);
      case 'cmp': {
        let left = this.eval(n.items[0]);
        for (let i = 0; i < n.ops.length; i++) {
          const right = this.eval(n.items[i + 1]);
          if (!compareOp(n.ops[i], left, right)) return false;
          left = right;
        }
        return true;
      }
    }
  }

  private binop(op: string, a: PyValue, b: PyValue, line: number): PyValue {
    if (op === '%' && typeof a === 'string') return percentFormat(a, b);
    if (op === '+') {
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (a instanceof PyList && b instanceof PyList) return new PyList([...a.items, ...b.items]);
      if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
      const o = a as PyObject & { add?: (x: PyValue) => PyValue };
      if (o && typeof o === 'object' && 'pyType' in o && o.add) return o.add(b);
    }
    if (op === '-') {
      const o = a as PyObject & { sub?: (x: PyValue) => PyValue };
      if (o && typeof o === 'object' && 'pyType' in o && o.sub) return o.sub(b);
    }
    if (op === '*' && typeof a === 'string' && typeof b === 'number') return a.repeat(Math.max(0, b));
    const na = typeof a === 'boolean' ? Number(a) : a;
    const nb = typeof b === 'boolean' ? Number(b) : b;
    if (typeof na !== 'number' || typeof nb !== 'number') {
      throw new PyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`, line);
    }
    switch (op) {
      case '+': return na + nb;
      case '-': return na - nb;
      case '*': return na * nb;
      case '/': if (nb === 0) throw new PyError('ZeroDivisionError', 'division by zero', line); return na / nb;
      case '//': if (nb === 0) throw new PyError('ZeroDivisionError', 'integer division or modulo by zero', line); return Math.floor(na / nb);
      case '%': if (nb === 0) throw new PyError('ZeroDivisionError', 'integer modulo by zero', line); return ((na % nb) + nb) % nb;
      case '**': return na ** nb;
    }
    throw new PyError('TypeError', `unsupported operator ${op}`, line);
  }
}

function compareOp(op: string, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case '==': return pyEquals(a, b);
    case '!=': return !pyEquals(a, b);
    case 'is': return a === b || (a === null && b === null);
    case 'is not': return !(a === b || (a === null && b === null));
    case 'in': return contains(b, a);
    case 'not in': return !contains(b, a);
  }
  const order = (x: PyValue): number | string => {
    if (typeof x === 'number') return x;
    if (typeof x === 'boolean') return Number(x);
    if (typeof x === 'string') return x;
    throw new PyError('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
  };
  const x = order(a);
  const y = order(b);
  if (typeof x !== typeof y) throw new PyError('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

function contains(container: PyValue, item: PyValue): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new PyError('TypeError', "'in <string>' requires string as left operand");
    return container.includes(item);
  }
  if (container instanceof PyList || container instanceof PyTuple) return container.items.some((x) => pyEquals(x, item));
  if (container instanceof PyDict) return container.has(item);
  const o = container as PyObject;
  if (o && typeof o === 'object' && o.contains) return o.contains(item);
  if (o && typeof o === 'object' && o.iter) return o.iter().some((x) => pyEquals(x, item));
  throw new PyError('TypeError', `argument of type '${typeName(container)}' is not iterable`);
}

/** A Python function of the host (builtins, methods). */
export class PyFunction implements PyObject {
  readonly pyType = 'builtin_function_or_method';
  constructor(readonly name: string, private readonly fn: (args: PyValue[], kwargs: Map<string, PyValue>) => PyValue) {}
  call(args: PyValue[], kwargs: Map<string, PyValue>): PyValue { return this.fn(args, kwargs); }
  repr(): string { return `<built-in function ${this.name}>`; }
}

function stringMethod(s: string, name: string): PyValue | undefined {
  const m = (fn: (args: PyValue[]) => PyValue) => new PyFunction(name, (args) => fn(args));
  switch (name) {
    case 'strip': return m(() => s.trim());
    case 'lower': return m(() => s.toLowerCase());
    case 'upper': return m(() => s.toUpperCase());
    case 'startswith': return m((a) => s.startsWith(String(a[0])));
    case 'endswith': return m((a) => s.endsWith(String(a[0])));
    case 'replace': return m((a) => s.split(String(a[0])).join(String(a[1])));
    case 'split': return m((a) => new PyList(a.length && a[0] !== null ? s.split(String(a[0])) : s.trim().split(/\s+/).filter(Boolean)));
    case 'join': return m((a) => iterate(a[0]).map((x) => { if (typeof x !== 'string') throw new PyError('TypeError', `sequence item: expected str instance, ${typeName(x)} found`); return x; }).join(s));
  }
  return undefined;
}

export function getAttr(obj: PyValue, name: string): PyValue {
  if (typeof obj === 'string') {
    const m = stringMethod(obj, name);
    if (m) return m;
  }
  if (obj instanceof PyDict) {
    if (name === 'get') return new PyFunction('get', (args) => obj.get(args[0]) ?? (args.length > 1 ? args[1] : null));
    if (name === 'keys') return new PyFunction('keys', () => new PyList([...obj.entries.values()].map(([k]) => k)));
    if (name === 'values') return new PyFunction('values', () => new PyList([...obj.entries.values()].map(([, v]) => v)));
    if (name === 'items') return new PyFunction('items', () => new PyList([...obj.entries.values()].map(([k, v]) => new PyTuple([k, v]))));
    if (name === 'update') return new PyFunction('update', (args) => { for (const [, [k, v]] of (args[0] as PyDict).entries) obj.set(k, v); return null; });
  }
  if (obj instanceof PyList) {
    if (name === 'append') return new PyFunction('append', (args) => { obj.items.push(args[0]); return null; });
  }
  const o = obj as PyObject;
  if (o && typeof o === 'object' && 'pyType' in o && o.getattr) {
    const v = o.getattr(name);
    if (v !== undefined) return v;
  }
  throw new PyError('AttributeError', `'${typeName(obj)}' object has no attribute '${name}'`);
}

export function callValue(fn: PyValue, args: PyValue[], kwargs: Map<string, PyValue>): PyValue {
  const o = fn as PyObject;
  if (o && typeof o === 'object' && 'pyType' in o && o.call) return o.call(args, kwargs);
  throw new PyError('TypeError', `'${typeName(fn)}' object is not callable`);
}

export function getItem(obj: PyValue, key: PyValue): PyValue {
  if (obj instanceof PyDict) {
    const v = obj.get(key);
    if (v === undefined) throw new PyError('KeyError', repr(key));
    return v;
  }
  if (obj instanceof PyList || obj instanceof PyTuple || typeof obj === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new PyError('TypeError', `${typeName(obj)} indices must be integers`);
    const items = typeof obj === 'string' ? [...obj] : obj.items;
    const i = key < 0 ? items.length + key : key;
    if (i < 0 || i >= items.length) throw new PyError('IndexError', `${typeName(obj)} index out of range`);
    return items[i];
  }
  const o = obj as PyObject;
  if (o && typeof o === 'object' && o.getitem) return o.getitem(key);
  throw new PyError('TypeError', `'${typeName(obj)}' object is not subscriptable`);
}

/** Python builtins code may use. */
export function pyBuiltins(): Map<string, PyValue> {
  const b = new Map<string, PyValue>();
  const f = (name: string, fn: (args: PyValue[], kwargs: Map<string, PyValue>) => PyValue) => b.set(name, new PyFunction(name, fn));
  f('len', ([x]) => {
    if (typeof x === 'string') return x.length;
    if (x instanceof PyList || x instanceof PyTuple) return x.items.length;
    if (x instanceof PyDict) return x.entries.size;
    const o = x as PyObject;
    if (o && typeof o === 'object' && o.len) return o.len();
    throw new PyError('TypeError', `object of type '${typeName(x)}' has no len()`);
  });
  f('str', ([x]) => (x === undefined ? '' : str(x)));
  f('repr', ([x]) => repr(x));
  f('int', ([x]) => {
    if (typeof x === 'number') return Math.trunc(x);
    if (typeof x === 'boolean') return Number(x);
    if (typeof x === 'string' && /^\s*[-+]?\d+\s*$/.test(x)) return Number(x.trim());
    throw new PyError('ValueError', `invalid literal for int() with base 10: ${repr(x)}`);
  });
  f('float', ([x]) => {
    const n = typeof x === 'string' ? Number(x.trim()) : typeof x === 'boolean' ? Number(x) : x;
    if (typeof n !== 'number' || Number.isNaN(n)) throw new PyError('ValueError', `could not convert string to float: ${repr(x)}`);
    return n;
  });
  f('bool', ([x]) => truthy(x ?? false));
  f('list', ([x]) => new PyList(x === undefined ? [] : iterate(x)));
  f('tuple', ([x]) => new PyTuple(x === undefined ? [] : iterate(x)));
  f('dict', (args, kwargs) => {
    const d = new PyDict();
    if (args[0] instanceof PyDict) for (const [, [k, v]] of args[0].entries) d.set(k, v);
    for (const [k, v] of kwargs) d.set(k, v);
    return d;
  });
  f('abs', ([x]) => Math.abs(Number(x)));
  f('round', ([x, d]) => { const p = 10 ** Number(d ?? 0); return Math.round(Number(x) * p) / p; });
  f('min', (args) => { const items = args.length === 1 ? iterate(args[0]) : args; return items.reduce((m, v) => (compareOp('<', v, m) ? v : m)); });
  f('max', (args) => { const items = args.length === 1 ? iterate(args[0]) : args; return items.reduce((m, v) => (compareOp('>', v, m) ? v : m)); });
  f('sum', ([x]) => iterate(x).reduce<number>((s, v) => s + Number(v), 0));
  f('any', ([x]) => iterate(x).some(truthy));
  f('all', ([x]) => iterate(x).every(truthy));
  f('sorted', ([x]) => new PyList([...iterate(x)].sort((p, q) => (compareOp('<', p, q) ? -1 : compareOp('>', p, q) ? 1 : 0))));
  f('range', (args) => {
    const [start, stop, step] = args.length === 1 ? [0, Number(args[0]), 1] : [Number(args[0]), Number(args[1]), Number(args[2] ?? 1)];
    const out: PyValue[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
    return new PyList(out);
  });
  return b;
}

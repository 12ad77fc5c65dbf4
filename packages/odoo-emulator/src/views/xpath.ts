/**
 * XPath 1.0 over the emulator's XML tree, as Odoo's view inheritance uses it (lxml's `arch.xpath(expr)`): location
 * paths with the abbreviated and the usual axes, predicates (positions, comparisons, `and`/`or`), the core functions
 * view specs use (`contains`, `starts-with`, `not`, `last`, `position`, `count`, `normalize-space`, `string`,
 * `text()`, `name()`) and Odoo's own `hasclass()`. An expression outside this subset is refused with an explicit
 * error rather than guessed.
 */
import { isComment, textContent, type XmlNode } from './xml.ts';

export class XPathError extends Error {
  constructor(message: string, readonly expr: string) {
    super(`${message} in XPath ${JSON.stringify(expr)}`);
    this.name = 'XPathError';
  }
}

/** A node an expression can select: an element, the document (above the root), an attribute or a text piece. */
type Item =
  | { kind: 'element'; node: XmlNode }
  | { kind: 'document'; root: XmlNode }
  | { kind: 'attribute'; owner: XmlNode; name: string; value: string }
  | { kind: 'text'; owner: XmlNode; value: string };

type Value = Item[] | string | number | boolean;

// ---------------------------------------------------------------- tokens

type Tok = { t: 'name' | 'str' | 'num' | 'op' | 'axis' | 'end'; v: string };

function tokenize(expr: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"' || c === "'") {
      const end = expr.indexOf(c, i + 1);
      if (end === -1) throw new XPathError('unterminated string', expr);
      out.push({ t: 'str', v: expr.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const two = expr.slice(i, i + 2);
    if (['//', '!=', '<=', '>=', '..', '::'].includes(two)) {
      out.push({ t: two === '::' ? 'axis' : 'op', v: two });
      i += 2;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      const m = /^[0-9]*\.?[0-9]+/.exec(expr.slice(i))!;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
      continue;
    }
    if ('/[]()@,=<>|*.+-'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    const m = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?/.exec(expr.slice(i));
    if (!m) throw new XPathError(`unexpected character ${JSON.stringify(c)}`, expr);
    // A trailing '.' or '-' belongs to the name only when followed by a name character (e.g. "a.b").
    out.push({ t: 'name', v: m[0] });
    i += m[0].length;
  }
  out.push({ t: 'end', v: '' });
  return out;
}

// ---------------------------------------------------------------- syntax tree

type Axis = 'child' | 'descendant' | 'descendant-or-self' | 'self' | 'parent' | 'ancestor' | 'ancestor-or-self' | 'attribute'
  | 'following-sibling' | 'preceding-sibling';

interface Step {
  axis: Axis;
  /** Element/attribute name, '*', or the node tests 'node()' / 'text()'. */
  test: string;
  predicates: Expr[];
}

type Expr =
  | { k: 'path'; absolute: boolean; steps: Step[]; from?: Expr }
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'fn'; name: string; args: Expr[] }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'neg'; a: Expr };

const AXES = new Set<Axis>(['child', 'descendant', 'descendant-or-self', 'self', 'parent', 'ancestor', 'ancestor-or-self', 'attribute', 'following-sibling', 'preceding-sibling']);
const FUNCTIONS = new Set(['hasclass', 'contains', 'starts-with', 'not', 'last', 'position', 'count', 'normalize-space', 'string', 'name', 'local-name', 'true', 'false', 'boolean', 'number', 'concat', 'string-length']);

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[], private readonly src: string) {}

  parse(): Expr {
    const e = this.or();
    if (this.peek().t !== 'end') throw new XPathError(`unexpected ${JSON.stringify(this.peek().v)}`, this.src);
    return e;
  }

  private peek(o = 0): Tok { return this.toks[this.i + o]; }
  private next(): Tok { return this.toks[this.i++]; }
  private isOp(v: string, o = 0): boolean { const t = this.peek(o); return t.t === 'op' && t.v === v; }
  private eat(v: string): void {
    if (!this.isOp(v)) throw new XPathError(`expected ${JSON.stringify(v)}`, this.src);
    this.i++;
  }

  private or(): Expr {
    let a = this.and();
    while (this.peek().t === 'name' && this.peek().v === 'or') { this.i++; a = { k: 'bin', op: 'or', a, b: this.and() }; }
    return a;
  }
  private and(): Expr {
    let a = this.equality();
    while (this.peek().t === 'name' && this.peek().v === 'and') { this.i++; a = { k: 'bin', op: 'and', a, b: this.equality() }; }
    return a;
  }
  private equality(): Expr {
    let a = this.relational();
    while (this.isOp('=') || this.isOp('!=')) { const op = this.next().v; a = { k: 'bin', op, a, b: this.relational() }; }
    return a;
  }
  private relational(): Expr {
    let a = this.additive();
    while (this.isOp('<') || this.isOp('>') || this.isOp('<=') || this.isOp('>=')) { const op = this.next().v; a = { k: 'bin', op, a, b: this.additive() }; }
    return a;
  }
  private additive(): Expr {
    let a = this.unary();
    while (this.isOp('+') || this.isOp('-')) { const op = this.next().v; a = { k: 'bin', op, a, b: this.unary() }; }
    return a;
  }
  private unary(): Expr {
    if (this.isOp('-')) { this.i++; return { k: 'neg', a: this.unary() }; }
    return this.union();
  }
  private union(): Expr {
    let a = this.pathExpr();
    while (this.isOp('|')) { this.i++; a = { k: 'bin', op: '|', a, b: this.pathExpr() }; }
    return a;
  }

  private pathExpr(): Expr {
    const t = this.peek();
    let primary: Expr | null = null;
    if (t.t === 'str') { this.i++; primary = { k: 'str', v: t.v }; }
    else if (t.t === 'num') { this.i++; primary = { k: 'num', v: Number(t.v) }; }
    else if (this.isOp('(')) { this.i++; primary = this.or(); this.eat(')'); }
    else if (t.t === 'name' && this.isOp('(', 1) && !['text', 'node'].includes(t.v)) {
      if (!FUNCTIONS.has(t.v)) throw new XPathError(`function ${t.v}() is not supported by the emulator`, this.src);
      this.i += 2;
      const args: Expr[] = [];
      if (!this.isOp(')')) {
        args.push(this.or());
        while (this.isOp(',')) { this.i++; args.push(this.or()); }
      }
      this.eat(')');
      primary = { k: 'fn', name: t.v, args };
    }
    if (primary) {
      if (primary.k === 'str' || primary.k === 'num') return primary;
      if (this.isOp('/') || this.isOp('//')) return { k: 'path', absolute: false, steps: this.relativePath(), from: primary };
      return primary;
    }
    return this.locationPath();
  }

  private locationPath(): Expr {
    if (this.isOp('/')) {
      this.i++;
      const t = this.peek();
      const startsStep = t.t === 'name' || (t.t === 'op' && ['*', '@', '.', '..'].includes(t.v));
      return { k: 'path', absolute: true, steps: startsStep ? this.relativePath(false) : [] };
    }
    if (this.isOp('//')) return { k: 'path', absolute: true, steps: this.relativePath() };
    return { k: 'path', absolute: false, steps: this.relativePath(false) };
  }

  /** Steps, the first one led by '/' or '//' when `leading` (after a primary or for '//' at the start). */
  private relativePath(leading = true): Step[] {
    const steps: Step[] = [];
    let sep: string | null = null;
    if (leading) sep = this.next().v;
    for (;;) {
      if (sep === '//') steps.push({ axis: 'descendant-or-self', test: 'node()', predicates: [] });
      steps.push(this.step());
      if (this.isOp('/') || this.isOp('//')) { sep = this.next().v; continue; }
      return steps;
    }
  }

  private step(): Step {
    if (this.isOp('.')) { this.i++; return { axis: 'self', test: 'node()', predicates: [] }; }
    if (this.isOp('..')) { this.i++; return { axis: 'parent', test: 'node()', predicates: [] }; }
    let axis: Axis = 'child';
    if (this.isOp('@')) { this.i++; axis = 'attribute'; }
    else if (this.peek().t === 'name' && this.peek(1).t === 'axis') {
      const name = this.next().v as Axis;
      if (!AXES.has(name)) throw new XPathError(`axis ${name} is not supported by the emulator`, this.src);
      this.i++;
      axis = name;
    }
    let test: string;
    if (this.isOp('*')) { this.i++; test = '*'; }
    else if (this.peek().t === 'name') {
      test = this.next().v;
      if ((test === 'text' || test === 'node') && this.isOp('(')) { this.eat('('); this.eat(')'); test = `${test}()`; }
    } else throw new XPathError(`expected a node test, got ${JSON.stringify(this.peek().v)}`, this.src);
    const predicates: Expr[] = [];
    while (this.isOp('[')) { this.i++; predicates.push(this.or()); this.eat(']'); }
    return { axis, test, predicates };
  }
}

// ---------------------------------------------------------------- evaluation

interface Ctx { item: Item; position: number; size: number }

function stringOf(item: Item): string {
  switch (item.kind) {
    case 'element': return textContent(item.node);
    case 'document': return textContent(item.root);
    default: return item.value;
  }
}

function toStr(v: Value): string {
  if (Array.isArray(v)) return v.length ? stringOf(v[0]) : '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  return String(v);
}
function toNum(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = toStr(v).trim();
  return s === '' ? NaN : Number(s);
}
function toBool(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return v;
}

function compare(op: string, a: Value, b: Value): boolean {
  const cmp = (x: string | number | boolean, y: string | number | boolean): boolean => {
    if (op === '=' || op === '!=') {
      let eq: boolean;
      if (typeof x === 'boolean' || typeof y === 'boolean') eq = Boolean(x) === Boolean(y);
      else if (typeof x === 'number' || typeof y === 'number') eq = Number(x) === Number(y);
      else eq = x === y;
      return op === '=' ? eq : !eq;
    }
    const nx = Number(x);
    const ny = Number(y);
    return op === '<' ? nx < ny : op === '>' ? nx > ny : op === '<=' ? nx <= ny : nx >= ny;
  };
  if (Array.isArray(a) && Array.isArray(b)) return a.some((x) => b.some((y) => cmp(stringOf(x), stringOf(y))));
  if (Array.isArray(a)) {
    if (typeof b === 'boolean') return cmp(toBool(a), b);
    const scalar = b as string | number;
    return a.some((x) => cmp(typeof scalar === 'number' ? Number(stringOf(x)) : stringOf(x), scalar));
  }
  if (Array.isArray(b)) return compare(op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op, b, a);
  return cmp(a, b);
}

function sameItem(a: Item, b: Item): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'element' && b.kind === 'element') return a.node === b.node;
  if (a.kind === 'document') return true;
  if (a.kind === 'attribute' && b.kind === 'attribute') return a.owner === b.owner && a.name === b.name;
  if (a.kind === 'text' && b.kind === 'text') return a.owner === b.owner && a.value === b.value;
  return false;
}

function elementChildren(node: XmlNode): XmlNode[] {
  return node.children.filter((c) => !isComment(c));
}

function descendants(node: XmlNode, out: XmlNode[]): void {
  for (const c of elementChildren(node)) {
    out.push(c);
    descendants(c, out);
  }
}

/** Items along an axis, in axis order (reverse axes nearest first), before the node test. */
function axisItems(item: Item, axis: Axis, docOf: XmlNode): Item[] {
  const el = (n: XmlNode): Item => ({ kind: 'element', node: n });
  if (item.kind === 'attribute' || item.kind === 'text') {
    if (axis === 'self') return [item];
    if (axis === 'parent') return [el(item.owner)];
    if (axis === 'ancestor' || axis === 'ancestor-or-self') {
      const out: Item[] = axis === 'ancestor-or-self' ? [item] : [];
      for (let n: XmlNode | null = item.owner; n; n = n.parent) out.push(el(n));
      out.push({ kind: 'document', root: docOf });
      return out;
    }
    return [];
  }
  if (item.kind === 'document') {
    switch (axis) {
      case 'self': return [item];
      case 'child': return [el(item.root)];
      case 'descendant': case 'descendant-or-self': {
        const all: XmlNode[] = [item.root];
        descendants(item.root, all);
        return axis === 'descendant-or-self' ? [item, ...all.map(el)] : all.map(el);
      }
      default: return [];
    }
  }
  const node = item.node;
  switch (axis) {
    case 'self': return [item];
    case 'child': {
      const out: Item[] = [];
      for (const c of node.children) {
        if (isComment(c)) continue;
        out.push(el(c));
      }
      return out;
    }
    case 'descendant': case 'descendant-or-self': {
      const all: XmlNode[] = [];
      descendants(node, all);
      return axis === 'descendant-or-self' ? [item, ...all.map(el)] : all.map(el);
    }
    case 'parent': return node.parent ? [el(node.parent)] : [{ kind: 'document', root: docOf }];
    case 'ancestor': case 'ancestor-or-self': {
      const out: Item[] = axis === 'ancestor-or-self' ? [item] : [];
      for (let n = node.parent; n; n = n.parent) out.push(el(n));
      out.push({ kind: 'document', root: docOf });
      return out;
    }
    case 'attribute': return [...node.attrs].map(([name, value]) => ({ kind: 'attribute', owner: node, name, value }));
    case 'following-sibling': case 'preceding-sibling': {
      if (!node.parent) return [];
      const sibs = elementChildren(node.parent);
      const i = sibs.indexOf(node);
      return (axis === 'following-sibling' ? sibs.slice(i + 1) : sibs.slice(0, i).reverse()).map(el);
    }
  }
}

/** The text() pieces of an element: its text and its children's tails. */
function textItems(node: XmlNode): Item[] {
  const out: Item[] = [];
  if (node.text) out.push({ kind: 'text', owner: node, value: node.text });
  for (const c of node.children) if (c.tail) out.push({ kind: 'text', owner: node, value: c.tail });
  return out;
}

function matchesTest(item: Item, step: Step): boolean {
  if (step.test === 'node()') return true;
  if (step.axis === 'attribute') return item.kind === 'attribute' && (step.test === '*' || item.name === step.test);
  if (item.kind !== 'element') return false;
  return step.test === '*' || item.node.tag === step.test;
}

class Evaluator {
  constructor(private readonly root: XmlNode, private readonly src: string) {}

  eval(e: Expr, ctx: Ctx): Value {
    switch (e.k) {
      case 'str': return e.v;
      case 'num': return e.v;
      case 'neg': return -toNum(this.eval(e.a, ctx));
      case 'bin': return this.binary(e, ctx);
      case 'fn': return this.call(e, ctx);
      case 'path': {
        let start: Item[];
        if (e.from) {
          const v = this.eval(e.from, ctx);
          if (!Array.isArray(v)) throw new XPathError('a path must start from a node-set', this.src);
          start = v;
        } else start = e.absolute ? [{ kind: 'document', root: this.root }] : [ctx.item];
        return this.steps(start, e.steps);
      }
    }
  }

  private binary(e: Extract<Expr, { k: 'bin' }>, ctx: Ctx): Value {
    if (e.op === 'or') return toBool(this.eval(e.a, ctx)) || toBool(this.eval(e.b, ctx));
    if (e.op === 'and') return toBool(this.eval(e.a, ctx)) && toBool(this.eval(e.b, ctx));
    const a = this.eval(e.a, ctx);
    const b = this.eval(e.b, ctx);
    if (e.op === '|') {
      if (!Array.isArray(a) || !Array.isArray(b)) throw new XPathError('| joins node-sets only', this.src);
      return this.docOrder([...a, ...b]);
    }
    if (e.op === '+') return toNum(a) + toNum(b);
    if (e.op === '-') return toNum(a) - toNum(b);
    return compare(e.op, a, b);
  }

  private call(e: Extract<Expr, { k: 'fn' }>, ctx: Ctx): Value {
    const arg = (i: number) => this.eval(e.args[i], ctx);
    const ctxString = () => (e.args.length ? toStr(arg(0)) : stringOf(ctx.item));
    switch (e.name) {
      case 'hasclass': {
        if (ctx.item.kind !== 'element') return false;
        const classes = new Set((ctx.item.node.attrs.get('class') ?? '').split(/\s+/).filter(Boolean));
        return e.args.every((_, i) => classes.has(toStr(arg(i))));
      }
      case 'contains': return toStr(arg(0)).includes(toStr(arg(1)));
      case 'starts-with': return toStr(arg(0)).startsWith(toStr(arg(1)));
      case 'not': return !toBool(arg(0));
      case 'true': return true;
      case 'false': return false;
      case 'boolean': return toBool(arg(0));
      case 'number': return toNum(e.args.length ? arg(0) : [ctx.item]);
      case 'last': return ctx.size;
      case 'position': return ctx.position;
      case 'count': { const v = arg(0); if (!Array.isArray(v)) throw new XPathError('count() takes a node-set', this.src); return v.length; }
      case 'string': return ctxString();
      case 'string-length': return ctxString().length;
      case 'normalize-space': return ctxString().trim().replace(/\s+/g, ' ');
      case 'concat': return e.args.map((_, i) => toStr(arg(i))).join('');
      case 'name': case 'local-name': {
        const v = e.args.length ? arg(0) : [ctx.item];
        const first = Array.isArray(v) ? v[0] : undefined;
        if (!first) return '';
        return first.kind === 'element' ? first.node.tag : first.kind === 'attribute' ? first.name : '';
      }
    }
    throw new XPathError(`function ${e.name}() is not supported by the emulator`, this.src);
  }

  private steps(start: Item[], steps: Step[]): Item[] {
    let current = start;
    for (const step of steps) {
      const next: Item[] = [];
      for (const item of current) {
        let candidates = step.test === 'text()' && step.axis === 'child'
          ? (item.kind === 'element' ? textItems(item.node) : [])
          : axisItems(item, step.axis, this.root).filter((c) => matchesTest(c, step));
        for (const pred of step.predicates) {
          const size = candidates.length;
          candidates = candidates.filter((c, i) => {
            const v = this.eval(pred, { item: c, position: i + 1, size });
            return typeof v === 'number' ? v === i + 1 : toBool(v);
          });
        }
        for (const c of candidates) if (!next.some((n) => sameItem(n, c))) next.push(c);
      }
      current = this.docOrder(next);
    }
    return current;
  }

  /** Items in document order (elements by a walk of the tree; others kept after their owner). */
  private docOrder(items: Item[]): Item[] {
    if (items.length < 2) return items;
    const order = new Map<XmlNode, number>();
    let n = 0;
    const walk = (node: XmlNode) => {
      order.set(node, n++);
      for (const c of node.children) walk(c);
    };
    walk(this.root);
    const key = (it: Item) => (it.kind === 'document' ? -1 : it.kind === 'element' ? order.get(it.node) ?? 0 : (order.get(it.owner) ?? 0) + 0.5);
    const unique: Item[] = [];
    for (const it of items) if (!unique.some((u) => sameItem(u, it))) unique.push(it);
    return unique.sort((a, b) => key(a) - key(b));
  }
}

const cache = new Map<string, Expr>();

function compileXPath(expr: string): Expr {
  let tree = cache.get(expr);
  if (!tree) {
    tree = new Parser(tokenize(expr), expr).parse();
    cache.set(expr, tree);
  }
  return tree;
}

/** The elements an expression selects, in document order (lxml's `root.xpath(expr)` restricted to elements). */
export function selectElements(root: XmlNode, expr: string, context: XmlNode = root): XmlNode[] {
  const tree = compileXPath(expr);
  const v = new Evaluator(root, expr).eval(tree, { item: { kind: 'element', node: context }, position: 1, size: 1 });
  if (!Array.isArray(v)) throw new XPathError('the expression does not select nodes', expr);
  return v.filter((i): i is Extract<Item, { kind: 'element' }> => i.kind === 'element').map((i) => i.node);
}

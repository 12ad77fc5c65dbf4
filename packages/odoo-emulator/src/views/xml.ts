/**
 * A small XML tree in lxml's shape (elements with `text` and `tail`, ordered attributes, comments as nodes), the
 * parser and the serializer the emulator's views need. Odoo works on view archs with lxml; keeping lxml's text/tail
 * model lets the inheritance code follow Odoo's own steps (template_inheritance.py) and print archs the way Odoo does.
 */

export interface XmlNode {
  /** Element tag, or '#comment'. */
  tag: string;
  attrs: Map<string, string>;
  /** Text before the first child (comment: its content). */
  text: string | null;
  /** Text after the closing tag, up to the next sibling. */
  tail: string | null;
  children: XmlNode[];
  parent: XmlNode | null;
  /** 1-based line of the opening tag in the source (error contexts give it). */
  line: number;
  /** The id of the view that brought this node into a combined arch (set by the emulator while combining). */
  origin?: number;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(`${message} (line ${line})`);
    this.name = 'XmlSyntaxError';
  }
}

export function element(tag: string, attrs: Record<string, string> = {}): XmlNode {
  return { tag, attrs: new Map(Object.entries(attrs)), text: null, tail: null, children: [], parent: null, line: 1 };
}

export function isComment(node: XmlNode): boolean {
  return node.tag === '#comment';
}

// ---------------------------------------------------------------- parsing

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string, line: number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const v = ENTITIES[ref];
    if (v === undefined) throw new XmlSyntaxError(`undefined entity ${whole}`, line);
    return v;
  });
}

/** Parses one XML document (a view arch) into its root element. */
export function parseXml(source: string): XmlNode {
  let pos = 0;
  let line = 1;
  const len = source.length;
  const advance = (to: number) => {
    for (let i = pos; i < to; i++) if (source.charCodeAt(i) === 10) line++;
    pos = to;
  };
  const fail = (message: string): never => {
    throw new XmlSyntaxError(message, line);
  };
  let root: XmlNode | null = null;
  const stack: XmlNode[] = [];
  /** Where the next character data goes: the open element's text, or the last closed child's tail. */
  let last: XmlNode | null = null;
  const addText = (raw: string) => {
    if (!raw) return;
    const text = decodeEntities(raw, line);
    const top = stack[stack.length - 1];
    if (!top) {
      if (raw.trim()) fail('text outside the root element');
      return;
    }
    if (last && last.parent === top) last.tail = (last.tail ?? '') + text;
    else top.text = (top.text ?? '') + text;
  };

  while (pos < len) {
    const lt = source.indexOf('<', pos);
    if (lt === -1) {
      addText(source.slice(pos));
      advance(len);
      break;
    }
    if (lt > pos) {
      const raw = source.slice(pos, lt);
      advance(lt);
      addText(raw);
    }
    if (source.startsWith('<!--', pos)) {
      const end = source.indexOf('-->', pos + 4);
      if (end === -1) fail('unterminated comment');
      const comment = { ...element('#comment'), text: source.slice(pos + 4, end), line };
      advance(end + 3);
      const top = stack[stack.length - 1];
      if (top) {
        comment.parent = top;
        top.children.push(comment);
        last = comment;
      }
      continue;
    }
    if (source.startsWith('<?', pos)) {
      const end = source.indexOf('?>', pos + 2);
      if (end === -1) fail('unterminated processing instruction');
      advance(end + 2);
      continue;
    }
    if (source.startsWith('<![CDATA[', pos)) {
      const end = source.indexOf(']]>', pos + 9);
      if (end === -1) fail('unterminated CDATA section');
      const raw = source.slice(pos + 9, end);
      advance(end + 3);
      const top = stack[stack.length - 1];
      if (!top) fail('CDATA outside the root element');
      if (last && last.parent === top) last.tail = (last.tail ?? '') + raw;
      else top!.text = (top!.text ?? '') + raw;
      continue;
    }
    if (source.startsWith('<!', pos)) {
      const end = source.indexOf('>', pos);
      if (end === -1) fail('unterminated declaration');
      advance(end + 1);
      continue;
    }
    if (source.startsWith('</', pos)) {
      const m = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(source.slice(pos, pos + 200));
      if (!m) fail('malformed closing tag');
      const top = stack.pop();
      if (!top || top.tag !== m![1]) fail(`closing tag </${m![1]}> does not match <${top?.tag ?? ''}>`);
      advance(pos + m![0].length);
      last = top!;
      continue;
    }
    // Opening tag.
    const startLine = line;
    const nameMatch = /^<([A-Za-z_][\w.:-]*)/.exec(source.slice(pos, pos + 200));
    if (!nameMatch) fail('malformed tag');
    const node = element(nameMatch![1]);
    node.line = startLine;
    advance(pos + nameMatch![0].length);
    for (;;) {
      const ws = /^\s*/.exec(source.slice(pos, pos + 10000))![0];
      advance(pos + ws.length);
      if (source.startsWith('/>', pos)) {
        advance(pos + 2);
        attach(node, true);
        break;
      }
      if (source.startsWith('>', pos)) {
        advance(pos + 1);
        attach(node, false);
        break;
      }
      const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(source.slice(pos, pos + 100000));
      if (!attr) fail(`malformed attribute in <${node.tag}>`);
      const rawValue = attr![3] ?? attr![4] ?? '';
      if (rawValue.includes('<')) fail(`'<' in the value of attribute ${attr![1]}`);
      // XML attribute-value normalisation: each whitespace character becomes a space.
      const value = decodeEntities(rawValue.replace(/[\t\n\r]/g, ' '), line);
      if (node.attrs.has(attr![1])) fail(`attribute ${attr![1]} redefined`);
      node.attrs.set(attr![1], value);
      advance(pos + attr![0].length);
    }
  }
  if (stack.length) fail(`element <${stack[stack.length - 1].tag}> is not closed`);
  if (!root) fail('no root element');
  return root!;

  function attach(node: XmlNode, selfClosing: boolean): void {
    const top = stack[stack.length - 1];
    if (top) {
      node.parent = top;
      top.children.push(node);
    } else {
      if (root) fail('extra content after the root element');
      root = node;
    }
    if (selfClosing) last = node;
    else {
      stack.push(node);
      last = null;
    }
  }
}

// ---------------------------------------------------------------- serialising

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;').replace(/\r/g, '&#13;');
}

/** The node as lxml's `etree.tostring(node, encoding='unicode')` prints it (its tail excluded unless asked). */
export function serializeXml(node: XmlNode, withTail = false): string {
  let out = '';
  const write = (n: XmlNode, tail: boolean) => {
    if (isComment(n)) out += `<!--${n.text ?? ''}-->`;
    else {
      out += `<${n.tag}`;
      for (const [k, v] of n.attrs) out += ` ${k}="${escapeAttr(v)}"`;
      if (n.text === null && n.children.length === 0) out += '/>';
      else {
        out += '>';
        if (n.text) out += escapeText(n.text);
        for (const c of n.children) write(c, true);
        out += `</${n.tag}>`;
      }
    }
    if (tail && n.tail) out += escapeText(n.tail);
  };
  write(node, withTail);
  return out;
}

// ---------------------------------------------------------------- tree operations (lxml's)

export function cloneNode(node: XmlNode, parent: XmlNode | null = null): XmlNode {
  const copy: XmlNode = { tag: node.tag, attrs: new Map(node.attrs), text: node.text, tail: node.tail, children: [], parent, line: node.line, origin: node.origin };
  copy.children = node.children.map((c) => cloneNode(c, copy));
  return copy;
}

export function indexInParent(node: XmlNode): number {
  return node.parent ? node.parent.children.indexOf(node) : -1;
}

export function previousSibling(node: XmlNode): XmlNode | null {
  const i = indexInParent(node);
  return i > 0 ? node.parent!.children[i - 1] : null;
}

/** Detaches a node from its parent (its tail goes with it, as in lxml's `parent.remove`). */
export function detach(node: XmlNode): void {
  if (!node.parent) return;
  const i = indexInParent(node);
  node.parent.children.splice(i, 1);
  node.parent = null;
}

/** lxml `addprevious`: `item` goes right before `node` (detached from where it was). */
export function addPrevious(node: XmlNode, item: XmlNode): void {
  detach(item);
  const parent = node.parent!;
  parent.children.splice(indexInParent(node), 0, item);
  item.parent = parent;
}

/** lxml `addnext`. */
export function addNext(node: XmlNode, item: XmlNode): void {
  detach(item);
  const parent = node.parent!;
  parent.children.splice(indexInParent(node) + 1, 0, item);
  item.parent = parent;
}

export function appendChild(parent: XmlNode, item: XmlNode): void {
  detach(item);
  parent.children.push(item);
  item.parent = parent;
}

/** Elements of the subtree in document order, the node itself first (lxml `iter`), comments excluded. */
export function* iterElements(node: XmlNode, tag?: string): Generator<XmlNode> {
  if (!isComment(node) && (tag === undefined || node.tag === tag)) yield node;
  for (const c of node.children) yield* iterElements(c, tag);
}

/** Odoo's `remove_element`: removes a node and keeps its tail text where it was. */
export function removeElement(node: XmlNode): void {
  const parent = node.parent;
  if (!parent) return;
  if (node.tail) {
    const prev = previousSibling(node);
    if (prev) prev.tail = (prev.tail ?? '') + node.tail;
    else parent.text = (parent.text ?? '') + node.tail;
  }
  detach(node);
}

/** The text content of a node and its descendants (XPath string-value). */
export function textContent(node: XmlNode): string {
  let out = node.text ?? '';
  for (const c of node.children) {
    if (!isComment(c)) out += textContent(c);
    out += c.tail ?? '';
  }
  return out;
}

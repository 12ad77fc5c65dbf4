/**
 * View inheritance as Odoo applies it (odoo/tools/template_inheritance.py, the same in 17, 18 and 19): an extension
 * arch is a spec or a `<data>` of specs; each spec locates one node of the parent arch (an `<xpath expr>` or a node
 * with the same tag and attributes; a `<field>` by its name only) and puts its content `inside`, `after`, `before`,
 * in place of it (`replace`) or changes its `attributes`. A spec that locates nothing is refused with Odoo's message.
 */
import {
  addNext, addPrevious, appendChild, cloneNode, element, isComment, iterElements, previousSibling, removeElement,
  serializeXml, type XmlNode,
} from './xml.ts';
import { selectElements, XPathError } from './xpath.ts';

/** A refusal while combining views: `node` is the spec it is about (its line goes into Odoo's error context). */
export class ViewInheritanceError extends Error {
  constructor(message: string, readonly node: XmlNode | null) {
    super(message);
    this.name = 'ViewInheritanceError';
  }
}

/** Python's html_escape (markupsafe): what Odoo uses to print the spec in its error. */
function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

/** `<tag attr="...">` as Odoo prints a spec that cannot be located (position left out). */
function specLabel(spec: XmlNode): string {
  const attrs = [...spec.attrs].filter(([k]) => k !== 'position').map(([k, v]) => ` ${k}="${htmlEscape(v)}"`).join('');
  return `<${spec.tag}${attrs}>`;
}

/** Odoo's `locate_node`. */
export function locateNode(arch: XmlNode, spec: XmlNode): XmlNode | null {
  if (spec.tag === 'xpath') {
    const expr = spec.attrs.get('expr') ?? '';
    try {
      return selectElements(arch, expr)[0] ?? null;
    } catch (error) {
      if (error instanceof XPathError) throw new ViewInheritanceError(`Invalid Expression while parsing xpath ${JSON.stringify(expr)}: ${error.message}`, spec);
      throw error;
    }
  }
  if (spec.tag === 'field') {
    // A field is located by its name alone (the first one in document order).
    for (const node of iterElements(arch, 'field')) if (node.attrs.get('name') === spec.attrs.get('name')) return node;
    return null;
  }
  for (const node of iterElements(arch, spec.tag)) {
    let all = true;
    for (const [k, v] of spec.attrs) {
      if (k === 'position' || k === 'version') continue;
      if (node.attrs.get(k) !== v) { all = false; break; }
    }
    if (all) return node;
  }
  return null;
}

/** Odoo's `add_stripped_items_before`: the spec's children go before `node`, whitespace kept tidy. */
function addStrippedItemsBefore(node: XmlNode, spec: XmlNode): void {
  const text = spec.text ?? '';
  let beforeText = '';
  const prev = previousSibling(node);
  const parent = node.parent!;
  if (!prev) {
    const m = parent.text ? /\s*$/.exec(parent.text) : null;
    beforeText = m ? m[0] : '';
    const fallback = spec.text === null ? null : '';
    parent.text = ((parent.text ?? '').trimEnd() + text) || fallback;
  } else {
    const m = prev.tail ? /\s*$/.exec(prev.tail) : null;
    beforeText = m ? m[0] : '';
    prev.tail = (prev.tail ?? '').trimEnd() + text;
  }
  const items = [...spec.children];
  if (items.length) items[items.length - 1].tail = (items[items.length - 1].tail ?? '').trimEnd() + beforeText;
  else if (!prev) parent.text = (parent.text ?? '') + beforeText;
  else prev.tail = (prev.tail ?? '') + beforeText;
  for (const child of items) {
    if (child.attrs.get('position') === 'move') throw new ViewInheritanceError('position="move" is not supported by the emulator', child);
    addPrevious(node, child);
  }
}

/** Applies one extension arch on a copy of the combined arch; returns the new combined arch. */
export function applyInheritanceSpecs(source: XmlNode, specsTree: XmlNode): XmlNode {
  let arch = cloneNode(source);
  const specs: XmlNode[] = [cloneNode(specsTree)];
  while (specs.length) {
    const spec = specs.shift()!;
    if (isComment(spec)) continue;
    if (spec.tag === 'data') {
      specs.unshift(...spec.children);
      continue;
    }
    const node = locateNode(arch, spec);
    if (!node) throw new ViewInheritanceError(`Element '${specLabel(spec)}' cannot be located in parent view`, spec);
    const pos = spec.attrs.get('position') ?? 'inside';
    if (pos === 'replace') {
      if ((spec.attrs.get('mode') ?? 'outer') !== 'outer') throw new ViewInheritanceError('replace mode="inner" is not supported by the emulator', spec);
      if (!node.parent) {
        const content = spec.children.find((c) => !isComment(c));
        if (!content) throw new ViewInheritanceError('replacing the root needs one element', spec);
        const replacement = cloneNode(content);
        replacement.parent = null;
        replacement.tail = null;
        arch = replacement;
      } else {
        for (const child of [...spec.children]) {
          if (child.attrs.get('position') === 'move') throw new ViewInheritanceError('position="move" is not supported by the emulator', child);
          addPrevious(node, child);
        }
        removeElement(node);
      }
    } else if (pos === 'attributes') {
      for (const child of iterElements(spec, 'attribute')) {
        const attribute = child.attrs.get('name') ?? '';
        let value = child.text ?? '';
        if (child.attrs.has('add') || child.attrs.has('remove')) {
          const sepAttr = child.attrs.get('separator') ?? ',';
          const split = (s: string) => (sepAttr === ' ' ? s.split(/\s+/) : s.split(sepAttr));
          const toAdd = split(child.attrs.get('add') ?? '').map((s) => s.trim()).filter(Boolean);
          const toRemove = new Set(split(child.attrs.get('remove') ?? '').map((s) => s.trim()));
          const values = split(node.attrs.get(attribute) ?? '').map((s) => s.trim());
          value = [...values.filter((v) => !toRemove.has(v)), ...toAdd].join(sepAttr === ' ' ? ' ' : sepAttr);
        }
        if (value) node.attrs.set(attribute, value);
        else node.attrs.delete(attribute);
      }
    } else if (pos === 'inside') {
      const sentinel = element('sentinel');
      appendChild(node, sentinel);
      addStrippedItemsBefore(sentinel, spec);
      removeElement(sentinel);
    } else if (pos === 'after') {
      const sentinel = element('sentinel');
      addNext(node, sentinel);
      if (node.tail !== null) {
        sentinel.tail = node.tail;
        node.tail = null;
      }
      addStrippedItemsBefore(sentinel, spec);
      removeElement(sentinel);
    } else if (pos === 'before') {
      addStrippedItemsBefore(node, spec);
    } else {
      throw new ViewInheritanceError(`Invalid position attribute: '${pos}'`, spec);
    }
  }
  return arch;
}

export { serializeXml };

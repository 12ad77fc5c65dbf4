/**
 * Combining views as Odoo's `_get_combined_arch` does, over what the emulator knows of a database's views: the
 * recorded standard views (their stored arch, and for the five default views the combined arch a real server
 * answered, which already holds every installed module's extensions) and the views created at run time. A runtime
 * extension of a recorded default view is applied on that recorded combined arch, after everything recorded, in
 * Odoo's order (priority, then id; an extension's own extensions right after it). Every node an extension brings is
 * marked with the view's id, so validation and post-processing know whose it is.
 */
import { applyInheritanceSpecs, ViewInheritanceError } from './inheritance.ts';
import { parseXml, XmlSyntaxError, type XmlNode } from './xml.ts';

export interface ViewRow {
  id: number;
  name: string;
  model: string;
  type: string;
  mode: 'primary' | 'extension';
  priority: number;
  active: boolean;
  inherit_id: number | false;
  arch_db: string;
}

export interface ViewSource {
  row(id: number): ViewRow | undefined;
  /** Views whose inherit_id is `id` (archived ones included). */
  children(id: number): ViewRow[];
  /** The combined arch a real server answered for this view, when the recordings have it. */
  recordedCombined(id: number): string | null;
  /** Whether the view came from the recordings (its own arch was already combined there). */
  isRecorded(id: number): boolean;
}

/** A view that cannot be combined: `view` is the one whose arch failed, `node` the spec (for the error's line). */
export class ViewCombineError extends Error {
  constructor(message: string, readonly view: ViewRow, readonly node: XmlNode | null) {
    super(message);
    this.name = 'ViewCombineError';
  }
}

function parseOwn(view: ViewRow): XmlNode {
  try {
    const tree = parseXml(view.arch_db);
    markAll(tree, view.id);
    return tree;
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new ViewCombineError(error.message, view, null);
    throw error;
  }
}

function markAll(node: XmlNode, id: number): void {
  node.origin = id;
  for (const c of node.children) markAll(c, id);
}

function applyView(arch: XmlNode, view: ViewRow): XmlNode {
  try {
    return applyInheritanceSpecs(arch, parseOwn(view));
  } catch (error) {
    if (error instanceof ViewInheritanceError) throw new ViewCombineError(error.message, view, error.node);
    throw error;
  }
}

function extensionsOf(src: ViewSource, id: number): ViewRow[] {
  return src.children(id)
    .filter((c) => c.mode === 'extension' && c.active !== false)
    .sort((a, b) => a.priority - b.priority || a.id - b.id);
}

/** Applies the extensions of `view` (and theirs, depth first) on `arch`. */
function applyExtensionTree(src: ViewSource, arch: XmlNode, view: ViewRow): XmlNode {
  let out = arch;
  for (const child of extensionsOf(src, view.id)) {
    out = applyView(out, child);
    out = applyExtensionTree(src, out, child);
  }
  return out;
}

/** The view a given view belongs to: itself when primary, else the nearest primary ancestor. */
export function primaryOf(src: ViewSource, view: ViewRow): ViewRow {
  let cur = view;
  const seen = new Set<number>();
  while (cur.mode === 'extension' && cur.inherit_id) {
    if (seen.has(cur.id)) break;
    seen.add(cur.id);
    const parent = src.row(cur.inherit_id);
    if (!parent) break;
    cur = parent;
  }
  return cur;
}

/** The combined arch of a primary view, with every active extension applied. */
export function combinePrimary(src: ViewSource, view: ViewRow): XmlNode {
  let arch: XmlNode;
  const recorded = src.recordedCombined(view.id);
  if (recorded) {
    arch = parseXml(recorded);
    // Extensions added to the view's ancestors at run time: Odoo applies them before this view's own arch; the
    // recorded arch already holds that arch, so they are applied first here (the closest thing possible).
    const ancestors: ViewRow[] = [];
    for (let p = view.inherit_id ? src.row(view.inherit_id) : undefined; p; p = p.inherit_id ? src.row(p.inherit_id) : undefined) ancestors.unshift(p);
    for (const a of ancestors) arch = applyExtensionTree(src, arch, a);
  } else if (view.inherit_id && src.row(view.inherit_id)) {
    const parent = primaryOf(src, src.row(view.inherit_id)!);
    arch = src.isRecorded(view.id) ? parseXml(view.arch_db) : applyView(combinePrimary(src, parent), view);
  } else {
    arch = src.isRecorded(view.id) ? parseXml(view.arch_db) : parseOwn(view);
  }
  return applyExtensionTree(src, arch, view);
}

/**
 * What Odoo checks in a combined arch (`_validate_view`) and what `get_views` does to it before answering
 * (`_postprocess_view`), for the nodes views created at run time bring (the recorded archs are the real server's
 * answers and are taken as they are):
 * - a `<field>` must exist on its model (the one of its view, or the comodel inside an x2many's sub-view);
 * - a `type="action"` button must name an existing action;
 * - 17: the fields an `invisible`/`readonly`/`required`/`column_invisible` expression reads must be in the view;
 *   18/19 add the missing ones as invisible fields marked `data-used-by` when answering;
 * - `groups` are evaluated for the calling user: the node goes when the user lacks them, the attribute goes anyway;
 * - relational fields get `can_create`/`can_write`.
 */
import { pyRepr } from '../orm/pyrepr.ts';
import type { Model } from '../orm/model.ts';
import { expressionNames } from '../actions/py.ts';
import { element, isComment, removeElement, serializeXml, type XmlNode } from './xml.ts';

export interface ViewEnv {
  major: number;
  model(name: string): Model | null;
  /** null when the action a button names exists, else Odoo's message. */
  checkAction(name: string): string | null;
  userHasGroups(groups: string): boolean;
}

/** A node that fails validation (message as Odoo words it). */
export class ViewCheckError extends Error {
  constructor(message: string, readonly node: XmlNode) {
    super(message);
    this.name = 'ViewCheckError';
  }
}

const SUBVIEW_TAGS = new Set(['list', 'tree', 'form', 'kanban', 'graph', 'pivot', 'calendar', 'activity', 'search']);
const MODIFIERS = ['invisible', 'readonly', 'required', 'column_invisible'];

interface Level {
  model: Model;
  root: XmlNode;
  /** Field names present at this level (not inside sub-views). */
  fields: Set<string>;
  nodes: XmlNode[];
}

/** Splits an arch into its view levels: the main view and each x2many sub-view, with their model. */
function levels(arch: XmlNode, rootModel: Model, env: ViewEnv): Level[] {
  const out: Level[] = [];
  const visit = (root: XmlNode, model: Model) => {
    const level: Level = { model, root, fields: new Set(), nodes: [] };
    out.push(level);
    const walk = (node: XmlNode) => {
      if (isComment(node)) return;
      level.nodes.push(node);
      if (node.tag === 'field') {
        const name = node.attrs.get('name') ?? '';
        level.fields.add(name);
        const field = model.fields.get(name);
        for (const child of node.children) {
          if (!isComment(child) && SUBVIEW_TAGS.has(child.tag) && field?.relation) {
            const comodel = env.model(field.relation);
            if (comodel) visit(child, comodel);
          } else walk(child);
        }
        return;
      }
      for (const child of node.children) walk(child);
    };
    walk(root);
  };
  visit(arch, rootModel);
  return out;
}

function own(node: XmlNode, origins: Set<number>): boolean {
  return node.origin !== undefined && origins.has(node.origin);
}

/** Validates the nodes of the given views (by origin) in a combined arch; throws ViewCheckError. */
export function validateNodes(arch: XmlNode, model: Model, env: ViewEnv, origins: Set<number>): void {
  for (const level of levels(arch, model, env)) {
    for (const node of level.nodes) {
      if (!own(node, origins)) continue;
      if (node.tag === 'field') {
        const name = node.attrs.get('name');
        if (!name || !level.model.fields.has(name)) throw new ViewCheckError(`Field "${name ?? ''}" does not exist in model "${level.model.name}"`, node);
      }
      if (node.tag === 'button' && node.attrs.get('type') === 'action') {
        const problem = env.checkAction(node.attrs.get('name') ?? '');
        if (problem) throw new ViewCheckError(problem, node);
      }
      if (env.major === 17) {
        for (const attr of MODIFIERS) {
          const expr = node.attrs.get(attr);
          if (!expr) continue;
          for (const name of expressionNames(expr)) {
            if (name === 'id' || !level.model.fields.has(name) || level.fields.has(name)) continue;
            throw new ViewCheckError(`Field '${name}' used in ${attr}=${pyRepr(expr)} must be present in view but is missing.`, node);
          }
        }
      }
    }
  }
}

/** `get_views`' post-processing of a combined arch, in place; returns the fields each model's nodes use. */
export function postprocess(arch: XmlNode, model: Model, env: ViewEnv, origins: Set<number>): Map<string, Set<string>> {
  // Groups first: what the user may not see is gone before anything else looks at the arch.
  const withGroups: XmlNode[] = [];
  const collect = (n: XmlNode) => {
    if (!isComment(n) && n.attrs.has('groups')) withGroups.push(n);
    n.children.forEach(collect);
  };
  collect(arch);
  for (const node of withGroups) {
    const groups = node.attrs.get('groups')!;
    node.attrs.delete('groups');
    if (groups && !env.userHasGroups(groups) && node.parent) removeElement(node);
  }
  const used = new Map<string, Set<string>>();
  for (const level of levels(arch, model, env)) {
    const names = used.get(level.model.name) ?? new Set<string>();
    used.set(level.model.name, names);
    for (const f of level.fields) if (level.model.fields.has(f)) names.add(f);
    const missing = new Map<string, string[]>();
    for (const node of level.nodes) {
      if (!own(node, origins)) continue;
      if (node.tag === 'field') {
        const field = level.model.fields.get(node.attrs.get('name') ?? '');
        if (field && (field.type === 'many2one' || field.type === 'one2many' || field.type === 'many2many')) {
          if (!node.attrs.has('can_create')) node.attrs.set('can_create', 'True');
          if (!node.attrs.has('can_write')) node.attrs.set('can_write', 'True');
        }
      }
      if (env.major >= 18) {
        for (const attr of MODIFIERS) {
          const expr = node.attrs.get(attr);
          if (!expr) continue;
          for (const name of expressionNames(expr)) {
            if (name === 'id' || !level.model.fields.has(name) || level.fields.has(name)) continue;
            const uses = missing.get(name) ?? [];
            uses.push(`${attr}=${pyRepr(expr)} (${node.tag},${node.attrs.get('name') ?? 'None'})`);
            missing.set(name, uses);
          }
        }
      }
    }
    const isList = level.root.tag === 'list' || level.root.tag === 'tree';
    for (const [name, uses] of missing) {
      const node = element('field', { name, [isList ? 'column_invisible' : 'invisible']: 'True', readonly: 'True', 'data-used-by': uses.join('; ') });
      node.tail = '\n';
      node.parent = level.root;
      level.root.children.push(node);
      level.fields.add(name);
      names.add(name);
    }
  }
  return used;
}

/** Up to five lines of the combined arch around a node, as Odoo quotes them in "Error while validating view near:". */
export function linesNear(arch: XmlNode, node: XmlNode): string {
  const text = serializeXml(arch);
  const lines = text.split('\n').map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
  const open = serializeXml(node).split('>')[0];
  const at = Math.max(0, lines.findIndex((l) => l.includes(open)));
  return lines.slice(Math.max(0, at - 2), at + 3).join('');
}

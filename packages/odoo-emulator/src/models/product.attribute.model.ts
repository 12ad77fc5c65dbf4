/**
 * Product categories and attributes: product.category (complete_name, parent_path), product.attribute and its
 * values, and the per-template lines (product.template.attribute.line) and values (product.template.attribute.value,
 * which carry `price_extra`).
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { parseOrder } from '../orm/order.ts';

export class ProductCategory extends Model {
  readonly name = 'product.category';
  description = 'Product Category';
  order = 'complete_name';
  override recName = 'complete_name';

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'complete_name':
        return this.path(rec).map((r) => r.name).join(' / ');
      case 'parent_path':
        return this.path(rec).map((r) => `${r.id}/`).join('');
      case 'product_count': {
        const cats = new Set(this.descendants(rec.id));
        let n = 0;
        for (const t of env.model('product.template').table.rows.values()) if (t.active !== false && cats.has(t.categ_id as number)) n++;
        return n;
      }
      default:
        return NOT_COMPUTED;
    }
  }

  override displayName(rec: Rec): string {
    return this.path(rec).map((r) => r.name).join(' / ');
  }

  private path(rec: Rec): Rec[] {
    const out: Rec[] = [];
    let cur: Rec | undefined = rec;
    for (let i = 0; cur && i < 50; i++) {
      out.unshift(cur);
      cur = cur.parent_id ? this.table.get(cur.parent_id as number) : undefined;
    }
    return out;
  }
}

export class ProductAttribute extends Model {
  readonly name = 'product.attribute';
  description = 'Product Attribute';
  order = 'sequence, id';

  override defaults(): Record<string, unknown> {
    return { create_variant: 'always', display_type: 'radio', sequence: 20, active: true };
  }
}

export class ProductAttributeValue extends Model {
  readonly name = 'product.attribute.value';
  description = 'Attribute Value';
  order = 'attribute_id, sequence, id';

  override displayName(rec: Rec, env: Env): string {
    const attr = env.model('product.attribute').table.get(rec.attribute_id as number);
    return attr ? `${attr.name}: ${rec.name}` : String(rec.name);
  }

  override defaults(): Record<string, unknown> {
    return { sequence: 10, is_custom: false, html_color: false, default_extra_price: 0, active: true };
  }
}

export class ProductTemplateAttributeLine extends Model {
  readonly name = 'product.template.attribute.line';
  description = 'Product Template Attribute Line';
  order = 'sequence, attribute_id, id';

  override displayName(rec: Rec, env: Env): string {
    return String(env.model('product.attribute').table.get(rec.attribute_id as number)?.name ?? '');
  }

  override defaults(): Record<string, unknown> {
    return { sequence: 10, active: true };
  }

  override compute(field: string, rec: Rec): unknown {
    if (field === 'value_count') return ((rec.value_ids as number[]) ?? []).length;
    return NOT_COMPUTED;
  }

  override afterCreate(env: Env, id: number): void {
    this.syncValues(env, [id]);
  }

  override afterWrite(env: Env, ids: number[], vals: Record<string, unknown>): void {
    if ('value_ids' in vals) this.syncValues(env, ids);
  }

  /** Keeps one product.template.attribute.value per value of the line, then rebuilds the template's variants. */
  syncValues(env: Env, ids: number[]): void {
    const ptav = env.model('product.template.attribute.value');
    const templates = new Set<number>();
    for (const id of ids) {
      const line = this.table.get(id);
      if (!line) continue;
      templates.add(line.product_tmpl_id as number);
      const wanted = new Set((line.value_ids as number[]) ?? []);
      const existing = [...ptav.table.lookup('attribute_line_id', id)].map((i) => ptav.table.get(i)!);
      for (const e of existing) {
        const keep = wanted.has(e.product_attribute_value_id as number);
        if (e.ptav_active !== keep) ptav.table.update(e.id, { ptav_active: keep });
        wanted.delete(e.product_attribute_value_id as number);
      }
      for (const valueId of wanted) {
        const value = env.model('product.attribute.value').table.get(valueId);
        ptav.createOne(env, {
          product_attribute_value_id: valueId,
          attribute_line_id: id,
          product_tmpl_id: line.product_tmpl_id,
          attribute_id: line.attribute_id,
          price_extra: value?.default_extra_price ?? 0,
        });
      }
    }
    const tmpl = env.model('product.template') as unknown as { syncVariants(env: Env, id: number): void };
    for (const t of templates) tmpl.syncVariants(env, t);
  }
}

export class ProductTemplateAttributeValue extends Model {
  readonly name = 'product.template.attribute.value';
  description = 'Product Template Attribute Value';
  order = 'attribute_line_id, id';

  override defaults(): Record<string, unknown> {
    return { price_extra: 0, ptav_active: true };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    const pav = () => env.model('product.attribute.value').table.get(rec.product_attribute_value_id as number);
    switch (field) {
      case 'name':
        return pav()?.name ?? false;
      case 'html_color':
        return pav()?.html_color ?? false;
      case 'is_custom':
        return pav()?.is_custom ?? false;
      case 'attribute_id':
        return env.model('product.template.attribute.line').table.get(rec.attribute_line_id as number)?.attribute_id ?? rec.attribute_id ?? false;
      case 'ptav_product_variant_ids': {
        const pp = env.model('product.product');
        const ids = [...pp.table.lookup('product_template_attribute_value_ids', rec.id)].filter((id) => pp.table.get(id)?.active !== false);
        return pp.sortIds(ids, parseOrder(pp, pp.order, env), env);
      }
      default:
        return NOT_COMPUTED;
    }
  }

  override displayName(rec: Rec, env: Env): string {
    const attr = env.model('product.attribute').table.get(this.getter('attribute_id')(rec, env) as number);
    const name = this.getter('name')(rec, env);
    return attr ? `${attr.name}: ${name}` : String(name);
  }
}

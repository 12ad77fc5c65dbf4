/**
 * Small reference models: countries, states, currencies, languages, units, groups, message subtypes and modules.
 * Their data comes from the seed; they need little behaviour.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';

export class ResCountry extends Model {
  readonly name = 'res.country';
  description = 'Country';
  order = 'name';
}

export class ResCountryState extends Model {
  readonly name = 'res.country.state';
  description = 'Country state';
  order = 'code';

  override displayName(rec: Rec, env: Env): string {
    if (typeof rec.__display_name === 'string') return rec.__display_name;
    const country = env.model('res.country').table.get(rec.country_id as number);
    return country ? `${rec.name} (${country.code})` : String(rec.name);
  }

  override displayDepends(): string[] {
    return ['country_id', 'name'];
  }

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', help: 'Administrative divisions of a country. E.g. Fed. State, Departement, Canton' },
      code: { type: 'char', help: 'The state code.' },
    };
  }
}

export class ResCurrency extends Model {
  readonly name = 'res.currency';
  description = 'Currency';
  order = 'active desc, name';

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Currency', required: true },
      full_name: { type: 'char', string: 'Name' },
      symbol: { type: 'char', string: 'Symbol' },
      rounding: { type: 'float', string: 'Rounding Factor' },
      decimal_places: { type: 'integer', string: 'Decimal Places' },
      position: { type: 'selection', string: 'Symbol Position', selection: [['after', 'After Amount'], ['before', 'Before Amount']] },
      active: { type: 'boolean', string: 'Active' },
    };
  }

  override defaults(): Record<string, unknown> {
    return { active: true, rounding: 0.01, decimal_places: 2, position: 'before' };
  }

  /**
   * A real database holds every ISO currency, most of them inactive. The recordings show USD and EUR; the pound and
   * the Swiss franc are added, inactive, as Odoo has them (activated with `write({active: true})`).
   */
  afterSeed(env: Env): void {
    const known = new Set([...this.table.rows.values()].map((c) => c.name));
    for (const c of EXTRA_CURRENCIES) {
      if (known.has(c.name)) continue;
      this.table.insert({ id: this.table.allocateId(), ...c, active: false, rounding: 0.01, decimal_places: 2, create_uid: 1, write_uid: 1, create_date: env.now, write_date: env.now });
    }
  }
}

const EXTRA_CURRENCIES = [
  { name: 'GBP', full_name: 'Pound Sterling', symbol: '£', position: 'before' },
  { name: 'CHF', full_name: 'Swiss franc', symbol: 'CHF', position: 'after' },
];

export class ResLang extends Model {
  readonly name = 'res.lang';
  description = 'Languages';
  order = 'active desc, name';

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', required: true },
      code: { type: 'char', string: 'Locale Code', required: true },
      iso_code: { type: 'char', string: 'ISO code' },
      active: { type: 'boolean' },
      direction: { type: 'selection', selection: [['ltr', 'Left-to-Right'], ['rtl', 'Right-to-Left']] },
      date_format: { type: 'char' },
      time_format: { type: 'char' },
    };
  }
}

export class UomUom extends Model {
  readonly name = 'uom.uom';
  description = 'Product Unit of Measure';
  order = 'name';

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Unit', required: true },
      active: { type: 'boolean' },
      factor: { type: 'float', string: 'Ratio' },
      rounding: { type: 'float', string: 'Rounding Precision' },
    };
  }

  override defaults(): Record<string, unknown> {
    return { active: true, factor: 1, rounding: 0.01 };
  }
}

export class ResGroups extends Model {
  readonly name = 'res.groups';
  description = 'Access Groups';
  order = 'name';

  override fieldSpecs(): Record<string, FieldSpec> {
    return { name: { type: 'char', required: true }, full_name: { type: 'char', string: 'Group Name', store: false } };
  }

  override compute(field: string, rec: Rec, _env: Env): unknown {
    if (field === 'full_name') return rec.full_name ?? rec.name;
    return NOT_COMPUTED;
  }
}

export class MailMessageSubtype extends Model {
  readonly name = 'mail.message.subtype';
  description = 'Message subtypes';
  order = 'sequence, id';

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Message Type', required: true },
      description: { type: 'text' },
      internal: { type: 'boolean', string: 'Internal Only' },
      res_model: { type: 'char', string: 'Model' },
      sequence: { type: 'integer' },
      default: { type: 'boolean' },
    };
  }
}

export class AccountTaxGroup extends Model {
  readonly name = 'account.tax.group';
  description = 'Tax Group';
  order = 'sequence asc, id';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', required: true },
      sequence: { type: 'integer' },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company' },
      country_id: { type: 'many2one', relation: 'res.country', string: 'Country' },
    };
  }
}

/** Manifest order (`application desc, sequence, name`) of the modules the connector probes. */
const APPS: Record<string, number> = { sale_management: 15, account: 20, stock: 25, website_sale: 50, crm: 5, purchase: 30 };

export class IrModuleModule extends Model {
  readonly name = 'ir.module.module';
  description = 'Module';
  order = 'application desc, sequence, name';

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Technical Name', readonly: true, required: true },
      shortdesc: { type: 'char', string: 'Module Name', readonly: true },
      state: {
        type: 'selection', string: 'Status', readonly: true,
        selection: [['uninstallable', 'Uninstallable'], ['uninstalled', 'Not Installed'], ['installed', 'Installed'], ['to upgrade', 'To be upgraded'], ['to remove', 'To be removed'], ['to install', 'To be installed']],
      },
      latest_version: { type: 'char', string: 'Installed Version', readonly: true },
      installed_version: { type: 'char', string: 'Latest Version', store: false, readonly: true },
      application: { type: 'boolean', readonly: true },
      sequence: { type: 'integer' },
    };
  }

  override compute(field: string, rec: Rec): unknown {
    if (field === 'application') return rec.name as string in APPS;
    if (field === 'sequence') return APPS[rec.name as string] ?? 100;
    if (field === 'installed_version') return rec.installed_version ?? rec.latest_version ?? false;
    return NOT_COMPUTED;
  }
}

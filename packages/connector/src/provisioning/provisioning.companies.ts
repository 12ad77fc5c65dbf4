import type { ConnectionView } from '../connections/connections.types.ts';

/**
 * One Odoo database, several connections (DESIGN §4.9): the x_poleepo product fields hold one Poleepo product id
 * and one publish flag per product. When two companies of the same database are connected (each to its Poleepo
 * account), those fields must be company-dependent, which Odoo supports for custom fields from 18 on (detected by
 * `ir.model.fields.company_dependent`); otherwise, and when the same company is connected twice, the second
 * connection is refused with the reason.
 */

export interface SiblingConnection {
  id: number;
  name: string;
  companyId: number | null;
}

export interface CompanyPlan {
  /** Create the product fields company-dependent. */
  companyDependent: boolean;
  /** Why provisioning must not go on (null: it may). */
  refusal: string | null;
  /** The other connections of the connector that use the same Odoo database. */
  siblings: SiblingConnection[];
  /** Plain words for `odoo check`. */
  summary: string;
}

/** Odoo URL + database, the identity of an Odoo database. */
export function databaseKey(url: string, db: string): string {
  let origin = url.trim();
  try {
    const u = new URL(origin);
    origin = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    origin = origin.replace(/\/+$/, '').toLowerCase();
  }
  return `${origin}|${db.trim()}`;
}

export function siblingsOf(connection: ConnectionView, all: readonly ConnectionView[]): SiblingConnection[] {
  const key = databaseKey(connection.odoo.url, connection.odoo.db);
  return all
    .filter((c) => c.id !== connection.id && databaseKey(c.odoo.url, c.odoo.db) === key)
    .map((c) => ({ id: c.id, name: c.name, companyId: c.odoo.companyId }))
    .sort((a, b) => a.id - b.id);
}

export interface CompanyFacts {
  /** `ir.model.fields` has `company_dependent` (Odoo 18+). */
  supportsCompanyDependent: boolean;
  /** The product fields that exist already, and whether each is company-dependent. */
  existingProductFields: { name: string; companyDependent: boolean }[];
}

export function planCompanies(connection: ConnectionView, siblings: SiblingConnection[], facts: CompanyFacts): CompanyPlan {
  const db = `database "${connection.odoo.db}" at ${connection.odoo.url}`;
  if (siblings.length === 0) {
    const alreadyScoped = facts.existingProductFields.some((f) => f.companyDependent);
    return {
      companyDependent: alreadyScoped,
      refusal: null,
      siblings,
      summary: `"${connection.name}" is the only connection to ${db}${alreadyScoped ? '; its product fields are company-dependent (created when another company was connected)' : ''}`,
    };
  }
  const names = siblings.map((s) => `"${s.name}"`).join(', ');
  const unknown = [connection, ...siblings.map((s) => ({ name: s.name, odoo: { companyId: s.companyId } }))].filter((c) => c.odoo.companyId === null);
  if (unknown.length) {
    return refuse(`Connections "${connection.name}" and ${names} use the same ${db}, but ${unknown.map((c) => `"${c.name}"`).join(', ')} has no company id: set the company of each connection (connection add --company-id), so that their Poleepo fields can be kept apart`);
  }
  const sameCompany = siblings.find((s) => s.companyId === connection.odoo.companyId);
  if (sameCompany) {
    return refuse(`Connection "${sameCompany.name}" already connects company ${connection.odoo.companyId} of ${db} to a Poleepo account. A company can be connected to one Poleepo account only: the x_poleepo fields of its products and orders hold one Poleepo id each`);
  }
  const companies = [connection.odoo.companyId!, ...siblings.map((s) => s.companyId!)].sort((a, b) => a - b);
  if (!facts.supportsCompanyDependent) {
    return refuse(`Connections "${connection.name}" and ${names} connect companies ${companies.join(' and ')} of the same ${db} to different Poleepo accounts. Their products would share one Poleepo product id and one "Published on Poleepo" flag, and this Odoo version cannot create company-dependent custom fields through the API (Odoo 18 can). Connect one company of this database, or upgrade Odoo to 18 or later`);
  }
  const plain = facts.existingProductFields.filter((f) => !f.companyDependent);
  if (plain.length) {
    return refuse(`The Poleepo product fields of ${db} (${plain.map((f) => f.name).join(', ')}) were created for a single company. Connecting a second company (${names}) needs them company-dependent, which means creating them again and losing the Poleepo values stored in Odoo (publish flags, SKUs, codes). To do it: remove ${names} ("connection remove"), run "odoo provision --remove --connection ${connection.name}", add the other connection again and provision both`);
  }
  return {
    companyDependent: true,
    refusal: null,
    siblings,
    summary: `companies ${companies.join(' and ')} of ${db} are connected ("${connection.name}", ${names}): the product fields are company-dependent, so each company keeps its own Poleepo values`,
  };

  function refuse(reason: string): CompanyPlan {
    return { companyDependent: false, refusal: reason, siblings, summary: reason };
  }
}

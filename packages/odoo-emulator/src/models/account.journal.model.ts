/**
 * account.journal and account.account: just what invoices need (no `fields_get` of them is recorded). Each company
 * gets a sales journal (code INV, credit notes numbered RINV) and an income, a receivable and a tax account when the
 * database is seeded. The demo company's journal (id 1: "Customer Invoices", 19 "Sales") and income account
 * (17: 24 "400000 Product Sales", 18: 27, 19: 26 "Product Sales") are those flows/d_invoice.json shows; its tax account
 * is the one the recorded `compute_all` answers name (seed.loader.ts). The receivable account, and everything of the
 * other companies, appear in no recording: their ids and names are the usual demo chart's.
 */
import { Model } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';

/** The tax account of the demo taxes (the recorded compute_all answers' `account_id`), per version. */
export const DEMO_TAX_ACCOUNT: Record<17 | 18 | 19, number> = { 17: 19, 18: 22, 19: 21 };

export class AccountJournal extends Model {
  readonly name = 'account.journal';
  description = 'Journal';
  order = 'sequence, type, code';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Journal Name', required: true },
      code: { type: 'char', string: 'Short Code', required: true },
      type: { type: 'selection', string: 'Type', selection: [['sale', 'Sales'], ['purchase', 'Purchase'], ['cash', 'Cash'], ['bank', 'Bank'], ['general', 'Miscellaneous']] },
      active: { type: 'boolean', string: 'Active' },
      sequence: { type: 'integer', string: 'Sequence' },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company' },
      default_account_id: { type: 'many2one', relation: 'account.account', string: 'Default Account' },
      refund_sequence: { type: 'boolean', string: 'Dedicated Credit Note Sequence' },
    };
  }

  override defaults(env: Env): Record<string, unknown> {
    return { active: true, sequence: 10, company_id: env.companyId, refund_sequence: true };
  }

  /** The company's first active sales journal. */
  salesJournal(env: Env, companyId: number): Rec | undefined {
    return [...this.table.rows.values()]
      .filter((j) => j.company_id === companyId && j.type === 'sale' && j.active !== false)
      .sort((a, b) => ((a.sequence as number) ?? 10) - ((b.sequence as number) ?? 10) || a.id - b.id)[0];
  }

  /** Seeds each company's sales journal and accounts (idempotent: finishTechnicalRows calls it after every seed). */
  afterSeed(env: Env): void {
    const accounts = this.registry.model('account.account') as AccountAccount;
    const profile = this.registry.profile.invoicing;
    const companies = [...env.model('res.company').table.rows.values()].sort((a, b) => a.id - b.id);
    for (const company of companies) {
      if ([...this.table.rows.values()].some((j) => j.company_id === company.id && j.type === 'sale')) continue;
      const main = company.id === 1;
      const income = accounts.ensure(main ? profile.incomeAccount[0] : null, { code: '400000', name: 'Product Sales', account_type: 'income', reconcile: false, company_id: company.id });
      accounts.ensure(main ? DEMO_TAX_ACCOUNT[this.registry.version] : null, { code: '251000', name: 'Tax Received', account_type: 'liability_current', reconcile: false, company_id: company.id });
      accounts.ensure(null, { code: '121000', name: 'Account Receivable', account_type: 'asset_receivable', reconcile: true, company_id: company.id });
      const id = main && !this.table.get(1) ? 1 : this.table.allocateId();
      this.table.insert({
        id, name: main ? profile.salesJournalName : 'Customer Invoices', code: 'INV', type: 'sale', active: true, sequence: 5, company_id: company.id,
        default_account_id: income, refund_sequence: true, create_uid: 1, write_uid: 1, create_date: env.now, write_date: env.now,
      });
      if (this.table.nextId <= id) this.table.nextId = id + 1;
    }
  }
}

export class AccountAccount extends Model {
  readonly name = 'account.account';
  description = 'Account';
  order = 'code, id';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Account Name', required: true },
      code: { type: 'char', string: 'Code' },
      account_type: {
        type: 'selection', string: 'Type',
        selection: [['asset_receivable', 'Receivable'], ['asset_cash', 'Bank and Cash'], ['asset_current', 'Current Assets'], ['liability_payable', 'Payable'], ['liability_current', 'Current Liabilities'], ['income', 'Income'], ['expense', 'Expenses']],
      },
      reconcile: { type: 'boolean', string: 'Allow Reconciliation' },
      active: { type: 'boolean', string: 'Active' },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company' },
    };
  }

  override displayName(rec: Rec): string {
    if (typeof rec.__display_name === 'string') return rec.__display_name;
    return this.registry.profile.invoicing.accountDisplayWithCode && rec.code ? `${rec.code} ${rec.name}` : String(rec.name);
  }

  /** The company's account of a type (the first by code). */
  ofType(companyId: number, type: string): Rec | undefined {
    return [...this.table.rows.values()].filter((a) => a.company_id === companyId && a.account_type === type && a.active !== false)
      .sort((a, b) => String(a.code).localeCompare(String(b.code)) || a.id - b.id)[0];
  }

  /** An account of a company: the given id when free, else a new one. */
  ensure(id: number | null, vals: Record<string, unknown>): number {
    const existing = id !== null ? this.table.get(id) : undefined;
    if (existing) return existing.id;
    const newId = id ?? this.table.allocateId();
    this.table.insert({ id: newId, active: true, create_uid: 1, write_uid: 1, ...vals });
    if (this.table.nextId <= newId) this.table.nextId = newId + 1;
    return newId;
  }
}

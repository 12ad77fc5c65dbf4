/**
 * ir.actions.report: the invoice reports (`account.account_invoices`, report `account.report_invoice_with_payments`;
 * `account.account_invoices_without_payment`, `account.report_invoice`) and the rendering server-action code may ask
 * for (odoo-invoice-pdf.md): `_render_qweb_pdf(report_ref, res_ids=None, data=None)` (and `_render`), private, so
 * refused over RPC like any underscore method, answers `(pdf_bytes, 'pdf')` with a small real PDF
 * (reports/invoice.report.ts). As in Odoo: the report is found by id, record, `report_name` or xmlid; an invoice report
 * refuses plain journal entries ("Only invoices could be printed."); without wkhtmltopdf on the server (the knob
 * `knobs.wkhtmltopdf = false`) the render fails with Odoo's UserError. These reports create no attachment themselves
 * (their `attachment` is empty): the calling code stores the bytes.
 */
import { Model } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { userError } from '../errors/odoo.errors.ts';
import { PyBytes, PyError, PyList, PyTuple, type PyValue } from '../actions/py.ts';
import { Recordset, toJs, type PyMethod } from '../actions/py.odoo.ts';
import { renderInvoicePdf } from '../reports/invoice.report.ts';
import { buildPdf } from '../reports/pdf.ts';

export const NO_WKHTMLTOPDF = 'Unable to find Wkhtmltopdf on this system. The PDF can not be created.';

export class IrActionsReport extends Model {
  readonly name = 'ir.actions.report';
  description = 'Report Action';
  order = 'name, id';

  override fieldSpecs(): Record<string, FieldSpec> {
    const groups = this.registry.profile.major >= 19 ? 'group_ids' : 'groups_id';
    const specs: Record<string, FieldSpec> = {
      name: { type: 'char', string: 'Action Name', required: true },
      type: { type: 'char', string: 'Action Type' },
      model: { type: 'char', string: 'Model Name', required: true },
      report_type: { type: 'selection', string: 'Report Type', selection: [['qweb-html', 'HTML'], ['qweb-pdf', 'PDF'], ['qweb-text', 'Text']] },
      report_name: { type: 'char', string: 'Template Name', required: true },
      report_file: { type: 'char', string: 'Report File' },
      print_report_name: { type: 'char', string: 'Printed Report Name' },
      attachment: { type: 'char', string: 'Save as Attachment Prefix' },
      attachment_use: { type: 'boolean', string: 'Reload from Attachment' },
      binding_model_id: { type: 'many2one', relation: 'ir.model', string: 'Binding Model' },
      binding_type: { type: 'selection', string: 'Binding Type', selection: [['action', 'Action'], ['report', 'Report']] },
      [groups]: { type: 'many2many', relation: 'res.groups', string: 'Groups' },
    };
    if (this.registry.profile.major >= 18) specs.is_invoice_report = { type: 'boolean', string: 'Invoice report' };
    return specs;
  }

  override defaults(): Record<string, unknown> {
    return { type: 'ir.actions.report', report_type: 'qweb-pdf', binding_type: 'action', attachment: false, attachment_use: false };
  }

  /** The account module's invoice reports and their xmlids (ids of this emulator: no recording shows them). */
  afterSeed(env: Env): void {
    const imd = env.model('ir.model.data');
    const major = this.registry.profile.major;
    const reports = [
      { xmlid: 'account_invoices', name: this.registry.profile.invoicing.invoiceReportName, report_name: 'account.report_invoice_with_payments' },
      { xmlid: 'account_invoices_without_payment', name: major === 17 ? 'Invoices without Payment' : 'PDF without Payment', report_name: 'account.report_invoice' },
    ];
    for (const r of reports) {
      if ([...imd.table.lookup('name', r.xmlid)].some((id) => imd.table.get(id)!.module === 'account')) continue;
      const id = this.table.allocateId();
      const row: Record<string, unknown> = {
        id, name: r.name, type: 'ir.actions.report', model: 'account.move', report_type: 'qweb-pdf', report_name: r.report_name, report_file: r.report_name,
        print_report_name: '(object._get_report_base_filename())', attachment: false, attachment_use: false, binding_type: 'report',
        create_uid: 1, write_uid: 1, create_date: env.now, write_date: env.now,
      };
      if (major >= 18) row.is_invoice_report = r.xmlid === 'account_invoices';
      this.table.insert(row as { id: number });
      // A free id among the seeded xmlids (below the counter, which the recorded run's own xmlids continue).
      let imdId = 500;
      while (imd.table.get(imdId)) imdId++;
      imd.table.insert({ id: imdId, module: 'account', name: r.xmlid, model: 'ir.actions.report', res_id: id, noupdate: true });
    }
  }

  /** `_get_report`: by id, record, report_name, then xmlid. */
  private reportOf(env: Env, ref: PyValue): number {
    if (typeof ref === 'number') return ref;
    if (ref instanceof Recordset) {
      if (ref.model.name !== this.name) throw new PyError('ValueError', `Expected report of type ${this.name}, got ${ref.model.name}`);
      return ref.ensureOne();
    }
    const name = String(ref);
    const byName = [...this.table.rows.values()].find((r) => r.report_name === name);
    if (byName) return byName.id;
    const [module, xmlName] = name.split('.');
    const imd = env.model('ir.model.data');
    const row = [...imd.table.lookup('name', xmlName ?? '')].map((id) => imd.table.get(id)!).find((r) => r.module === module);
    if (!row) throw new PyError('ValueError', `External ID not found in the system: ${name}`);
    if (row.model !== this.name) throw new PyError('ValueError', `Fetching report '${name}': type ${String(row.model)}, expected ir.actions.report`);
    return Number(row.res_id);
  }

  /** `_render_qweb_pdf`: the report's PDF for these records (one document, a page per record). */
  renderPdf(env: Env, ref: PyValue, resIds: number[]): Buffer {
    const reportId = this.reportOf(env, ref);
    const report = this.table.get(reportId);
    if (!report) throw this.missingRecords(env, [reportId]);
    const model = env.model(String(report.model));
    const invoiceReport = report.model === 'account.move' && (report.is_invoice_report === true || report.report_name === 'account.report_invoice' || report.report_name === 'account.report_invoice_with_payments');
    if (invoiceReport && resIds.some((id) => model.table.get(id)?.move_type === 'entry')) throw userError('Only invoices could be printed.');
    if (!env.registry.server.wkhtmltopdf) throw userError(NO_WKHTMLTOPDF);
    model.ensureExisting(env, resIds);
    env.registry.stats.reportsRendered++;
    if (report.model === 'account.move') return renderInvoicePdf(env, resIds);
    return buildPdf(resIds.map((id) => ({ texts: [{ x: 50, y: 780, size: 14, text: model.displayNameOfId(id, env) || `${model.name},${id}` }] })), { title: String(report.name), creationDate: new Date(env.nowMs) });
  }

  readonly pyMethods: Record<string, PyMethod> = {
    _render_qweb_pdf: (env, _ids, args, kwargs) => this.pyRender(env, args, kwargs),
    _render: (env, _ids, args, kwargs) => this.pyRender(env, args, kwargs),
  };

  private pyRender(env: Env, args: PyValue[], kwargs: Map<string, PyValue>): PyValue {
    const ref = args[0] ?? kwargs.get('report_ref') ?? null;
    if (ref === null) throw new PyError('TypeError', "IrActionsReport._render_qweb_pdf() missing 1 required positional argument: 'report_ref'");
    const raw = args.length > 1 ? args[1] : kwargs.get('res_ids') ?? null;
    const ids = raw === null || raw === false ? [] : typeof raw === 'number' ? [raw] : raw instanceof PyList || raw instanceof PyTuple ? (toJs(raw) as unknown[]).map(Number) : raw instanceof Recordset ? raw.ids : [];
    return new PyTuple([new PyBytes(this.renderPdf(env, ref, ids)), 'pdf']);
  }
}

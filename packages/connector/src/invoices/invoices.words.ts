import { AppError } from '../shared/errors.ts';
import type { InvoiceKind, InvoiceStep } from './invoices.tables.ts';

/**
 * A stop that trying again at once cannot fix, said in plain words for the person who reads the invoices page: the
 * runner records it on the row (`failed`, with the step it stopped at) instead of looping a task. `retryAfterMs`: the
 * Invoice Sync job tries again after that long (a PDF engine installed meanwhile, a provisioning run); null: only
 * when a person asks (`invoices send`).
 */
export class InvoiceStopped extends AppError {
  constructor(readonly stopCode: string, message: string, readonly retryAfterMs: number | null = null, options?: { cause?: unknown }) {
    super('invoice_stopped', message, options);
  }
}

const HOUR = 3_600_000;

export function kindWord(kind: InvoiceKind): string {
  return kind === 'CREDIT_NOTE' ? 'credit note' : 'invoice';
}

/** Odoo has no wkhtmltopdf (docs/odoo-api.md §F): no PDF can be made until it is installed and Odoo restarted. */
export function noPdfEngine(what: string, cause: unknown): InvoiceStopped {
  return new InvoiceStopped('no_wkhtmltopdf',
    `Odoo cannot make the PDF of ${what}: wkhtmltopdf, the program Odoo prints PDFs with, is not installed on the Odoo server. Install it there (the version Odoo recommends) and restart Odoo; the connector tries again every hour, or now with "invoices send".`,
    HOUR, { cause });
}

export function pdfFailed(what: string, odooMessage: string, cause: unknown): InvoiceStopped {
  return new InvoiceStopped('pdf_failed', `Odoo could not make the PDF of ${what}: ${odooMessage}`, HOUR, { cause });
}

export function notProvisioned(): InvoiceStopped {
  return new InvoiceStopped('not_provisioned',
    'Odoo has no "Poleepo: PDF della fattura" server action, which makes the invoice PDFs: run "poleepo-odoo odoo provision" for this connection. The connector tries again every hour.',
    HOUR);
}

/** `create_invoices` said there is nothing to invoice (recorded UserError, docs/odoo-api.md §F.1). */
export function nothingToInvoice(orderName: string, draftNames: string[], cause: unknown): InvoiceStopped {
  const why = draftNames.length
    ? `a draft invoice of it is waiting in Odoo (${draftNames.join(', ')}): post it in Odoo and the connector sends it to Poleepo`
    : 'everything on it is invoiced already, or its products are invoiced on delivered quantities and nothing was delivered yet';
  return new InvoiceStopped('nothing_to_invoice', `Odoo has nothing to invoice on ${orderName}: ${why}.`, null, { cause });
}

export function odooRefused(action: string, odooMessage: string, cause: unknown): InvoiceStopped {
  return new InvoiceStopped('odoo_refused', `Odoo refused to ${action}: ${odooMessage}`, null, { cause });
}

export function poleepoRefused(what: string, message: string, cause: unknown): InvoiceStopped {
  return new InvoiceStopped('poleepo_refused', `Poleepo refused ${what}: ${message}. Nothing was stored on Poleepo; fix it and send again.`, null, { cause });
}

export function stepWord(step: InvoiceStep | null): string {
  switch (step) {
    case 'creating': return 'making it in Odoo';
    case 'posting': return 'posting it in Odoo';
    case 'rendering': return 'making its PDF in Odoo';
    case 'uploading': return 'sending it to Poleepo';
    default: return String(step ?? '');
  }
}

import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { RateLimitedError, RetryableError, errorMessage } from '../shared/errors.ts';
import type { OrderConnection } from '../orders/orders.connections.ts';
import type { OrdersRepo } from '../orders/orders.repo.ts';
import { PoleepoNotFoundError } from '../poleepo/poleepo.errors.ts';
import type { PoleepoDocument } from '../poleepo/poleepo.types.ts';
import { escapeHtml, ShippingOdoo } from '../shipping/shipping.odoo.ts';
import { InvoicesOdoo } from './invoices.odoo.ts';
import type { OrderDocumentPatch, InvoicesRepo } from './invoices.repo.ts';
import type { InvoiceRow, OrderDocumentRow } from './invoices.tables.ts';

export interface DocumentImporterDeps {
  repo: InvoicesRepo;
  orders: OrdersRepo;
  clock: Clock;
  logger: Logger;
}

export interface DocumentsOutcome {
  skipped?: string;
  imported: number;
  documents: { id: number; type: string; number: string | null; step: string; error?: string }[];
}

/** Said when the file was in Odoo before the import (shipping attached the label it fetched): no second note. */
export const ALREADY_IN_ODOO = 'Already in Odoo (attached with the shipment\'s label): no second file, no second note.';
export const SENT_BY_CONNECTOR = 'Sent to Poleepo by the connector from Odoo: not imported back.';

const TYPE_ITALIAN: Record<string, string> = { WAYBILL: 'Lettera di vettura', INVOICE: 'Fattura', CREDIT_NOTE: 'Nota di credito' };

/** The chatter note starts with this (plain text, so the chatter can be searched for it). */
export function documentMarker(documentId: number): string {
  return `Documento Poleepo ${documentId}:`;
}

/** One of ours: sent by the connector (its id, or its type and number once the upload was sent). */
export function isOurUpload(doc: Pick<PoleepoDocument, 'id' | 'type' | 'number'>, rows: readonly InvoiceRow[]): boolean {
  return rows.some((r) => r.poleepo_document_id === doc.id || (r.upload_sent_at !== null && r.kind === doc.type && r.move_name !== null && r.move_name === doc.number));
}

/**
 * Documents from Poleepo to Odoo (DESIGN §4.8): the documents Poleepo holds for an order (the waybill it makes with
 * each label, an invoice made in Poleepo…) are attached to the sale order — a waybill also to its delivery — with a
 * note in the order's chatter, once each: a row per document records the import before its first attachment, the
 * attachments are found by name and the note by its marker after a crash or a lost reply. The connector's own uploads
 * are skipped, and a file already in Odoo (the label shipping attached) is not attached or announced twice.
 */
export class DocumentImporter {
  constructor(private readonly deps: DocumentImporterDeps) {}

  async run(conn: OrderConnection, poleepoOrderId: string, signal?: AbortSignal): Promise<DocumentsOutcome> {
    const outcome: DocumentsOutcome = { imported: 0, documents: [] };
    const binding = await this.deps.orders.find(conn.view.id, poleepoOrderId);
    if (!binding || binding.sale_order_id === null) return { ...outcome, skipped: `order ${poleepoOrderId} has no sale order in Odoo` };
    let documents: PoleepoDocument[];
    try {
      documents = await conn.poleepo.listDocuments(poleepoOrderId);
    } catch (error) {
      if (error instanceof PoleepoNotFoundError) return { ...outcome, skipped: `Poleepo has no order ${poleepoOrderId}` };
      throw error;
    }
    const ours = await this.deps.repo.ofOrder(conn.view.id, poleepoOrderId);
    const failures: unknown[] = [];
    for (const doc of documents) {
      const now = this.deps.clock.now();
      const mine = isOurUpload(doc, ours);
      let row = await this.deps.repo.ensureDocument({
        connection_id: conn.view.id, poleepo_order_id: poleepoOrderId, poleepo_document_id: doc.id, type: String(doc.type), number: doc.number ?? null,
        date: doc.date ?? null, file_name: doc.file_name || `${doc.type}_${doc.id}.pdf`, step: mine ? 'skipped' : 'importing', sale_order_id: binding.sale_order_id,
        note: mine ? SENT_BY_CONNECTOR : null, created_at: now, updated_at: now,
      });
      if (row.step === 'importing' && mine) {
        await this.save(row.id, { step: 'skipped', note: SENT_BY_CONNECTOR });
        row = (await this.deps.repo.document(conn.view.id, doc.id))!;
      }
      if (row.step === 'importing' || row.step === 'failed') {
        try {
          row = await this.import(conn, row, binding.sale_order_id, signal);
          outcome.imported++;
        } catch (error) {
          // No answer: the task tries again. Refused for good: the document says why, and is tried again the next
          // time the order is looked at (never a task retried to death).
          const retryable = error instanceof RetryableError || error instanceof RateLimitedError || signal?.aborted;
          await this.save(row.id, { error: errorMessage(error).slice(0, 2000), ...(retryable ? {} : { step: 'failed' as const }) });
          if (retryable) failures.push(error);
        }
      }
      const current = (await this.deps.repo.document(conn.view.id, doc.id))!;
      outcome.documents.push({ id: doc.id, type: current.type, number: current.number, step: current.step, ...(current.error && current.step !== 'done' ? { error: current.error } : {}) });
    }
    if (failures[0]) throw failures[0];
    return outcome;
  }

  private async import(conn: OrderConnection, row: OrderDocumentRow, saleOrderId: number, signal?: AbortSignal): Promise<OrderDocumentRow> {
    const odoo = new ShippingOdoo(conn.odoo, conn.view.odoo.companyId);
    const full = await conn.poleepo.getDocument(row.poleepo_order_id, row.poleepo_document_id);
    const fileName = safeFileName(row.file_name, row);
    // The intent, before the first attachment: an attachment found from now on is ours (no "already in Odoo").
    let attachSentAt = row.attach_sent_at;
    const attachOnce = async (model: string, resId: number): Promise<{ id: number; existed: boolean }> => {
      if (attachSentAt === null) {
        const [existing] = await conn.odoo.search('ir.attachment', [['res_model', '=', model], ['res_id', '=', resId], ['name', '=', fileName]], { limit: 1, signal });
        if (existing !== undefined) return { id: existing, existed: true };
        attachSentAt = this.deps.clock.now();
        await this.save(row.id, { attach_sent_at: attachSentAt });
      }
      return { id: await odoo.attach(model, resId, fileName, full.bytes, signal), existed: false };
    };

    let note = row.note;
    if (row.order_attachment_id === null) {
      const attached = await attachOnce('sale.order', saleOrderId);
      if (attached.existed) note = ALREADY_IN_ODOO;
      await this.save(row.id, { order_attachment_id: attached.id, sale_order_id: saleOrderId, note });
      row = { ...row, order_attachment_id: attached.id, note };
    }
    if (row.type === 'WAYBILL' && row.picking_attachment_id === null) {
      const pickingId = row.picking_id ?? await this.waybillPicking(conn, row, saleOrderId, signal);
      if (pickingId !== null) {
        const attached = await attachOnce('stock.picking', pickingId);
        await this.save(row.id, { picking_id: pickingId, picking_attachment_id: attached.id });
      }
    }
    if (row.message_id === null && note !== ALREADY_IN_ODOO) {
      const marker = documentMarker(row.poleepo_document_id);
      const what = TYPE_ITALIAN[row.type] ?? row.type;
      const html = `<p>${marker} ${escapeHtml(what)}${row.number ? ` ${escapeHtml(row.number)}` : ''}${row.date ? ` del ${escapeHtml(row.date)}` : ''} (${escapeHtml(fileName)}), importato da Poleepo.</p>`;
      const messageId = await odoo.postNote('sale.order', saleOrderId, html, marker, [row.order_attachment_id!], signal);
      await this.save(row.id, { message_id: messageId });
    }
    await this.save(row.id, { step: 'done', error: null, imported_at: this.deps.clock.now() });
    this.deps.logger.info({ documentId: row.poleepo_document_id, type: row.type, order: row.poleepo_order_id, saleOrderId }, 'Poleepo document imported into Odoo');
    return (await this.deps.repo.document(row.connection_id, row.poleepo_document_id))!;
  }

  /** The delivery a waybill belongs to: the shipment with its tracking code, the order's only shipment, or its only done delivery. */
  private async waybillPicking(conn: OrderConnection, row: OrderDocumentRow, saleOrderId: number, signal?: AbortSignal): Promise<number | null> {
    const shipments = await this.deps.repo.shipmentsOfOrder(conn.view.id, row.poleepo_order_id);
    const byTracking = shipments.find((s) => s.tracking_code !== null && s.tracking_code === row.number);
    if (byTracking) return byTracking.picking_id;
    if (shipments.length === 1) return shipments[0]!.picking_id;
    const done = await new InvoicesOdoo(conn.odoo, conn.view.odoo.companyId).doneDeliveries(saleOrderId, signal);
    return done.length === 1 ? done[0]!.id : null;
  }

  private async save(id: number, patch: OrderDocumentPatch): Promise<void> {
    await this.deps.repo.updateDocument(id, { ...patch, updated_at: this.deps.clock.now() });
  }
}

/** Poleepo's file name when it is a plain file name; otherwise one made from the type and number. */
function safeFileName(given: string, row: OrderDocumentRow): string {
  if (/^[\w.\- ]{1,120}\.[A-Za-z0-9]{1,5}$/.test(given)) return given;
  return `${row.type.toLowerCase()}_${(row.number ?? String(row.poleepo_document_id)).replace(/[^\w-]/g, '_')}.pdf`;
}

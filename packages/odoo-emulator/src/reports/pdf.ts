/**
 * A small, real PDF 1.4 writer (no dependency): A4 pages of Helvetica text and rules, with an xref table of exact byte
 * offsets so that any viewer opens the file without repairing it. What the emulator's reports render with.
 */

export interface PdfText {
  x: number;
  y: number;
  size: number;
  text: string;
  bold?: boolean;
  /** Right-aligned at x (approximate Helvetica widths). */
  alignRight?: boolean;
}

export interface PdfRule {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface PdfPage {
  texts: PdfText[];
  rules?: PdfRule[];
}

export const A4 = { width: 595, height: 842 };

export function buildPdf(pages: PdfPage[], info: { title: string; producer?: string; creationDate?: Date }): Buffer {
  const objects: string[] = [];
  const add = (body: string): number => objects.push(body);
  const catalog = add('');
  const pagesObj = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const bold = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const pageIds: number[] = [];
  for (const page of pages.length ? pages : [{ texts: [] }]) {
    const ops: string[] = [];
    for (const r of page.rules ?? []) ops.push(`0.5 w ${r.x1} ${r.y1} m ${r.x2} ${r.y2} l S`);
    for (const t of page.texts) {
      const x = t.alignRight ? t.x - textWidth(t.text, t.size, Boolean(t.bold)) : t.x;
      ops.push(`BT /${t.bold ? 'F2' : 'F1'} ${t.size} Tf ${x.toFixed(2)} ${t.y.toFixed(2)} Td (${pdfString(t.text)}) Tj ET`);
    }
    const stream = ops.join('\n');
    const content = add(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
    pageIds.push(add(`<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 ${A4.width} ${A4.height}] /Contents ${content} 0 R /Resources << /Font << /F1 ${font} 0 R /F2 ${bold} 0 R >> >> >>`));
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
  objects[pagesObj - 1] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  const when = info.creationDate ?? new Date(0);
  const stamp = `D:${when.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  const infoObj = add(`<< /Title (${pdfString(info.title)}) /Producer (${pdfString(info.producer ?? 'odoo-emulator')}) /CreationDate (${stamp}) >>`);

  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${infoObj} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A PDF literal string in WinAnsi: Latin-1 kept, other characters folded or replaced, ( ) \ escaped. */
export function pdfString(value: string): string {
  const folded = value.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/[\u2013\u2014]/g, '-').replace(/\u2022/g, '-').replace(/\u20ac/g, 'EUR');
  let out = '';
  for (const ch of folded) {
    const code = ch.codePointAt(0)!;
    if (ch === '(' || ch === ')' || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code >= 0xa0 && code <= 0xff) out += `\\${code.toString(8).padStart(3, '0')}`;
    else {
      const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += /^[\x20-\x7e]$/.test(base) ? base : '?';
    }
  }
  return out;
}

/** Helvetica advance widths (per 1000 units), enough to right-align figures and short words. */
function textWidth(text: string, size: number, bold: boolean): number {
  let units = 0;
  for (const ch of text) {
    if (/[0-9]/.test(ch)) units += 556;
    else if (ch === ' ') units += 278;
    else if (ch === '.' || ch === ',') units += 278;
    else if (/[A-Z]/.test(ch)) units += bold ? 722 : 667;
    else if (/[il]/.test(ch)) units += 222;
    else units += bold ? 611 : 556;
  }
  return (units * size) / 1000;
}

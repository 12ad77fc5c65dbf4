/**
 * A real, minimal PDF 1.4 built by hand (no dependency): one 10×15 cm page with the waybill's text in Helvetica and
 * a bar pattern drawn from the tracking code. The xref table carries exact byte offsets, so viewers open it without
 * repairing it.
 */
export interface LabelContent {
  carrier: string;
  trackingCode: string;
  parcelId: string;
  orderId: number | string;
  reference: string;
  recipient: string[];
  sender: string[];
  parcels: number;
  weightKg: number;
}

export function buildLabelPdf(label: LabelContent): Buffer {
  const width = 283; // 10 cm
  const height = 425; // 15 cm
  const lines: string[] = [];
  const text = (x: number, y: number, size: number, value: string) => lines.push(`BT /F1 ${size} Tf ${x} ${y} Td (${pdfText(value)}) Tj ET`);
  text(16, 398, 16, label.carrier);
  text(16, 380, 9, 'LETTERA DI VETTURA - Poleepo sandbox');
  text(16, 356, 8, 'MITTENTE');
  label.sender.forEach((l, i) => text(16, 345 - i * 10, 9, l));
  text(16, 298, 8, 'DESTINATARIO');
  label.recipient.forEach((l, i) => text(16, 285 - i * 12, 11, l));
  text(16, 200, 9, `Ordine ${label.orderId}   Rif. ${label.reference}`);
  text(16, 188, 9, `Colli ${label.parcels}   Peso ${label.weightKg.toFixed(2)} kg`);
  text(16, 176, 9, `Segnacollo ${label.parcelId}`);
  // Bars: each character of the tracking code gives a run of thin and thick bars (decorative, not a real symbology).
  let x = 16;
  for (const ch of label.trackingCode) {
    const code = ch.charCodeAt(0);
    for (let bit = 0; bit < 5 && x < width - 20; bit++) {
      const w = (code >> bit) & 1 ? 2.4 : 1.2;
      lines.push(`${x.toFixed(1)} 80 ${w} 80 re f`);
      x += w + 1.4;
    }
  }
  text(16, 62, 12, label.trackingCode);
  const stream = lines.join('\n');

  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>`,
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Title (${pdfText(`Waybill ${label.trackingCode}`)}) /Producer (poleepo-sandbox) >>`,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** PDF literal string: ASCII only (accents folded), with ( ) \ escaped. */
function pdfText(value: string): string {
  return value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '?').replace(/([()\\])/g, '\\$1');
}

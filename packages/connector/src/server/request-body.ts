/** The body as read, or why it was refused. */
export type BoundedBody = { ok: true; bytes: Buffer } | { ok: false; reason: 'too_large' };

/**
 * Reads a request body while counting it, and stops at `maxBytes` + 1: a body without Content-Length (chunked) is
 * never held in memory beyond the limit, and a declared length over it is refused before a byte is read. The rest of
 * an oversized upload is left to the HTTP server, which drains it briefly and then closes the socket.
 */
export async function readBoundedBody(req: Request, maxBytes: number): Promise<BoundedBody> {
  const declared = req.headers.get('content-length');
  if (declared !== null && !(Number(declared) <= maxBytes)) return { ok: false, reason: 'too_large' };
  if (!req.body) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      void reader.cancel().catch(() => undefined);
      return { ok: false, reason: 'too_large' };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks, size) };
}

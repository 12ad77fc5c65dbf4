import { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

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

const TOO_LARGE: BoundedBody = { ok: false, reason: 'too_large' };

/**
 * The same bounded read straight from Node's request (`c.env.incoming` under @hono/node-server), when the route
 * runs behind the Node server and nobody has read the body yet; otherwise (app.request in tests, another runtime)
 * through the Fetch API body. The webhook intake reads this way: touching `c.req.raw.body` makes the Node adapter
 * build a full Fetch Request (an AbortController, a Headers copy, a web stream over the socket), which cost more CPU
 * per webhook than storing it.
 */
export function readRequestBody(c: Context, maxBytes: number): Promise<BoundedBody> {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (incoming instanceof IncomingMessage && !incoming.readableDidRead) return readBoundedIncoming(incoming, maxBytes);
  return readBoundedBody(c.req.raw, maxBytes);
}

/** Request headers with lower-case names, from Node's request when there is one (no Headers copy), else from Fetch's. */
export function requestHeaders(c: Context): Record<string, string | undefined> {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (!(incoming instanceof IncomingMessage)) return c.req.header();
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(incoming.headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/**
 * Counts the body as it arrives and stops listening past `maxBytes`: the adapter then drains the rest briefly and
 * closes the socket (as it does for any body a handler leaves unread).
 */
export function readBoundedIncoming(incoming: IncomingMessage, maxBytes: number): Promise<BoundedBody> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && !(Number(declared) <= maxBytes)) return Promise.resolve(TOO_LARGE);
  if (incoming.readableEnded) return Promise.resolve({ ok: true, bytes: Buffer.alloc(0) });
  return new Promise<BoundedBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        incoming.pause();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      const [only] = chunks;
      resolve({ ok: true, bytes: chunks.length === 1 && only ? only : Buffer.concat(chunks, size) });
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => {
      stop();
      reject(new Error('The client closed the connection before sending the whole body'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

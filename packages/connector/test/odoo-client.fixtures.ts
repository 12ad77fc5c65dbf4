import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

/**
 * Recorded Odoo traffic (`recordings/odooNN/`*.json) and a tiny real HTTP server on 127.0.0.1 that answers with those
 * recordings verbatim (status, content type, Location, body), as the test script decides. A fixture, not a mock:
 * the client under test speaks real HTTP to it.
 */

export interface RecordedExchange {
  title: string;
  endpoint: string;
  request: unknown;
  request_headers?: Record<string, string>;
  http_status: number;
  response_content_type?: string;
  response_location?: string;
  response: unknown;
}

const cache = new Map<string, RecordedExchange[]>();

export function recordings(version: '17' | '18' | '19', file: string): RecordedExchange[] {
  const key = `${version}/${file}`;
  if (!cache.has(key)) {
    const path = new URL(`../../../recordings/odoo${version}/${file}`, import.meta.url);
    cache.set(key, (JSON.parse(readFileSync(path, 'utf8')) as { exchanges: RecordedExchange[] }).exchanges);
  }
  return cache.get(key)!;
}

/** The exchange with this exact title (fails loudly when the recordings change). */
export function recorded(version: '17' | '18' | '19', file: string, title: string): RecordedExchange {
  const found = recordings(version, file).find((e) => e.title === title);
  if (!found) throw new Error(`no exchange titled "${title}" in odoo${version}/${file}`);
  return found;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

export type Answer =
  | { exchange: RecordedExchange }
  | { status: number; contentType?: string; body: string; headers?: Record<string, string> }
  /** Close the connection without answering (a reply lost after the work was done). */
  | { drop: true }
  /** Never answer (until the server closes). */
  | { hang: true };

export interface ReplayServer {
  url: string;
  requests: ReceivedRequest[];
  /** Requests being answered right now (for concurrency checks). */
  inFlight: number;
  maxInFlight: number;
  /** Releases held answers (see `hold`). */
  release(): void;
  /** Starts or stops holding answers. */
  hold(on: boolean): void;
  close(): Promise<void>;
}

export interface ReplayOptions {
  /** Hold every answer until release() is called (to observe how many requests are in flight). */
  hold?: boolean;
}

export async function startReplayServer(answer: (req: ReceivedRequest, index: number) => Answer | Promise<Answer>, options: ReplayOptions = {}): Promise<ReplayServer> {
  const sockets = new Set<import('node:net').Socket>();
  let releaseHeld: (() => void)[] = [];
  const state = { inFlight: 0, maxInFlight: 0, hold: options.hold ?? false };
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let json: unknown = undefined;
    try { json = body ? JSON.parse(body) : undefined; } catch { json = undefined; }
    const received: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
    const index = requests.push(received) - 1;
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    try {
      if (state.hold) await new Promise<void>((r) => releaseHeld.push(r));
      const a = await answer(received, index);
      if ('hang' in a) return;
      if ('drop' in a) {
        req.socket.destroy();
        return;
      }
      if ('exchange' in a) {
        const e = a.exchange;
        const headers: Record<string, string> = { 'Content-Type': e.response_content_type ?? 'application/json; charset=utf-8' };
        if (e.response_location) headers.Location = e.response_location;
        res.writeHead(e.http_status, headers);
        res.end(typeof e.response === 'string' ? e.response : JSON.stringify(e.response));
        return;
      }
      res.writeHead(a.status, { 'Content-Type': a.contentType ?? 'application/json; charset=utf-8', ...a.headers });
      res.end(a.body);
    } finally {
      state.inFlight--;
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get inFlight() { return state.inFlight; },
    get maxInFlight() { return state.maxInFlight; },
    hold(on: boolean) {
      state.hold = on;
      state.maxInFlight = state.inFlight;
    },
    release() {
      const held = releaseHeld;
      releaseHeld = [];
      for (const r of held) r();
    },
    close: () => new Promise<void>((resolve) => {
      for (const r of releaseHeld) r();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The JSON-RPC `params.args` of a request (service, method and arguments). */
export function rpcCall(req: ReceivedRequest): { service: string; method: string; args: unknown[] } | null {
  const params = (req.json as { params?: { service: string; method: string; args: unknown[] } } | undefined)?.params;
  return params ?? null;
}

/**
 * The emulator's HTTP server (node:http, so that faults can cut a connection and headers are exactly ours): routes
 * requests to the JSON-RPC, JSON-2, web and control handlers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.ts';
import { handleJsonRpc } from './jsonrpc.handler.ts';
import { handleJson2 } from './json2.handler.ts';
import { handleControl } from './control.handler.ts';
import { datasetCallKw, loginPage, notFoundPage, sessionAuthenticate, versionInfoRoute, webVersion } from './web.handler.ts';
import { htmlReply, type Reply } from './replies.ts';

const MAX_BODY = 64 * 1024 * 1024;

export function createEmulatorServer(ctx: EmulatorContext): Server {
  return createServer((req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`emulator failure: ${error instanceof Error ? error.stack : String(error)}`);
      } else res.destroy();
    });
  });
}

async function handle(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://emulator');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
  let reply: Reply;
  if (path === '/jsonrpc') reply = await handleJsonRpc(ctx, { method, contentType: headers['content-type'] ?? '', body });
  else if (path === '/json/2' || path.startsWith('/json/2/')) reply = await handleJson2(ctx, { method, path, headers, body });
  else if (path === '/web/version' || (path === '/json/version' && ctx.registry.profile.webVersionRoute)) reply = webVersion(ctx, method);
  else if (path === '/web/webclient/version_info') reply = versionInfoRoute(ctx, body);
  else if (path === '/web/login' && method === 'GET') reply = loginPage();
  else if (path === '/web/session/authenticate') reply = sessionAuthenticate(ctx, body);
  else if (path === '/web/dataset/call_kw' || path.startsWith('/web/dataset/call_kw/')) reply = await datasetCallKw(ctx, body, headers.cookie);
  else if (path.startsWith('/__emulator')) reply = handleControl(ctx, method, path, body);
  else if (path === '/' || path === '/web/health') reply = htmlReply(200, '<!doctype html><title>Odoo emulator</title>');
  else reply = notFoundPage(ctx);
  if (reply.destroy) {
    req.socket.destroy();
    return;
  }
  const out = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, { Server: 'Werkzeug/2.2.2 Python/3.11.2', 'Content-Length': String(out.length), ...reply.headers });
  res.end(out);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

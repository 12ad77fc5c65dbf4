/** Minimal JSON-RPC and JSON-2 callers for the emulator tests (the real client lives in src/odoo/). */
import type { OdooEmulator } from '../../src/emulator.ts';

export interface RpcAnswer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

export async function jsonrpc(emu: OdooEmulator, service: string, method: string, args: unknown[], id: unknown = 1): Promise<RpcAnswer> {
  const res = await fetch(`${emu.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

/** `execute_kw` as the admin with the emulator's key; returns the `result` (throws on an error answer). */
export async function kw<T = unknown>(emu: OdooEmulator, model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<T> {
  const answer = await jsonrpc(emu, 'object', 'execute_kw', [emu.db, 2, emu.apiKey, model, method, args, kwargs]);
  if ('error' in answer.body) {
    const data = (answer.body.error as { data: { name: string; message: string } }).data;
    throw new Error(`${data.name}: ${data.message}`);
  }
  return answer.body.result as T;
}

/** The error of an `execute_kw` that must fail: `{name, message, context}`. */
export async function kwError(emu: OdooEmulator, model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) {
  const answer = await jsonrpc(emu, 'object', 'execute_kw', [emu.db, 2, emu.apiKey, model, method, args, kwargs]);
  if (!('error' in answer.body)) throw new Error(`expected an error, got ${answer.text}`);
  return (answer.body.error as { data: { name: string; message: string; context: Record<string, unknown> } }).data;
}

export async function json2(emu: OdooEmulator, model: string, method: string, body: unknown, key = emu.apiKey): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${emu.url}/json/2/${model}/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `bearer ${key}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

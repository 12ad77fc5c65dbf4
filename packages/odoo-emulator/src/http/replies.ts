/**
 * What a route answers: status, headers and body; or an instruction to cut the connection. Error bodies follow
 * Odoo's shapes: the JSON-RPC envelope (`code`, `message`, `data` with `name`, `debug`, `message`, `arguments`,
 * `context` in the version's order) and JSON-2's bare object (`name`, `message`, `arguments`, `context`, `debug`).
 */
import type { VersionProfile } from '../versions/version.profile.ts';
import { OdooError } from '../errors/odoo.errors.ts';
import { traceback } from '../errors/traceback.ts';
import { pyJson } from './pyjson.ts';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Destroy the socket instead of answering (connection reset / reply dropped). */
  destroy?: boolean;
}

export const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: pyJson(value) };
}

export function htmlReply(status: number, html: string, headers: Record<string, string> = {}, contentType = 'text/html; charset=utf-8'): Reply {
  return { status, headers: { 'Content-Type': contentType, ...headers }, body: html };
}

export function destroyReply(): Reply {
  return { status: 0, headers: {}, body: '', destroy: true };
}

export function errorData(profile: VersionProfile, error: OdooError, transport: 'jsonrpc' | 'json2'): Record<string, unknown> {
  const args = error.args ?? [error.message];
  const debug = traceback(profile.major, transport, error.odooName, error.message, error.where, error.status);
  if (profile.debugSecond && transport === 'jsonrpc') return { name: error.odooName, debug, message: error.message, arguments: args, context: error.context };
  return { name: error.odooName, message: error.message, arguments: args, context: error.context, debug };
}

/** JSON-RPC answer: `jsonrpc`, `id`, then `result` (absent when the method returned None) or `error`. */
export function rpcResult(id: unknown, result: unknown): Reply {
  const body: Record<string, unknown> = { jsonrpc: '2.0', id: id === undefined ? null : id };
  if (result !== null && result !== undefined) body.result = result;
  return jsonReply(200, body);
}

export function rpcError(profile: VersionProfile, id: unknown, error: OdooError, code = profile.rpcErrorCode, message = 'Odoo Server Error'): Reply {
  return jsonReply(200, { jsonrpc: '2.0', id: id === undefined ? null : id, error: { code, message, data: errorData(profile, error, 'jsonrpc') } });
}

export function json2Error(profile: VersionProfile, error: OdooError): Reply {
  const headers: Record<string, string> = error.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
  return jsonReply(error.status, errorData(profile, error, 'json2'), headers);
}

export const SERVER_ERROR_500 = `<!doctype html>
<html lang=en>
<title>500 Internal Server Error</title>
<h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>
`;

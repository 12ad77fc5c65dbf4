/**
 * The `debug` member of Odoo's errors: a Python traceback. The emulator writes the server frames the recordings show
 * for the version and transport, one frame for the method that failed, and Odoo's last line
 * (`<exception>: <message>`), which is what clients parse when they parse anything.
 */
import type { OdooVersion } from '../versions/version.profile.ts';
import { pyRepr } from '../orm/pyrepr.ts';

const FRAMES: Record<string, string[][]> = {
  'jsonrpc-17': [
    ['odoo/http.py', '1764', '_serve_db', 'return service_model.retrying(self._serve_ir_http, self.env)'],
    ['odoo/service/model.py', '133', 'retrying', 'result = func()'],
    ['odoo/http.py', '1791', '_serve_ir_http', 'response = self.dispatcher.dispatch(rule.endpoint, args)'],
    ['odoo/http.py', '1995', 'dispatch', "result = self.request.registry['ir.http']._dispatch(endpoint)"],
    ['odoo/addons/base/models/ir_http.py', '222', '_dispatch', 'result = endpoint(**request.params)'],
    ['odoo/http.py', '741', 'route_wrapper', 'result = endpoint(self, *args, **params_ok)'],
    ['odoo/addons/base/controllers/rpc.py', '155', 'jsonrpc', 'return dispatch_rpc(service, method, args)'],
    ['odoo/http.py', '391', 'dispatch_rpc', 'return dispatch(method, params)'],
    ['odoo/service/model.py', '37', 'dispatch', 'res = execute_kw(db, uid, *params[3:])'],
    ['odoo/service/model.py', '59', 'execute_kw', 'return execute(db, uid, obj, method, *args, **kw or {})'],
    ['odoo/service/model.py', '65', 'execute', 'res = execute_cr(cr, uid, obj, method, *args, **kw)'],
    ['odoo/service/model.py', '50', 'execute_cr', 'result = retrying(partial(odoo.api.call_kw, recs, method, args, kw), env)'],
    ['odoo/service/model.py', '133', 'retrying', 'result = func()'],
    ['odoo/api.py', '464', 'call_kw', 'result = _call_kw_model(method, model, args, kwargs)'],
  ],
  'jsonrpc-18': [
    ['odoo/http.py', '2144', '_transactioning', 'return service_model.retrying(func, env=self.env)'],
    ['odoo/service/model.py', '156', 'retrying', 'result = func()'],
    ['odoo/http.py', '2111', '_serve_ir_http', 'response = self.dispatcher.dispatch(rule.endpoint, args)'],
    ['odoo/http.py', '2359', 'dispatch', "result = self.request.registry['ir.http']._dispatch(endpoint)"],
    ['odoo/addons/base/models/ir_http.py', '333', '_dispatch', 'result = endpoint(**request.params)'],
    ['odoo/http.py', '754', 'route_wrapper', 'result = endpoint(self, *args, **params_ok)'],
    ['odoo/addons/base/controllers/rpc.py', '178', 'jsonrpc', 'return dispatch_rpc(service, method, args)'],
    ['odoo/http.py', '412', 'dispatch_rpc', 'return dispatch(method, params)'],
    ['odoo/service/model.py', '58', 'dispatch', 'res = execute_kw(db, uid, *params[3:])'],
    ['odoo/service/model.py', '81', 'execute_kw', 'return execute(db, uid, obj, method, *args, **kw or {})'],
    ['odoo/service/model.py', '87', 'execute', 'res = execute_cr(cr, uid, obj, method, *args, **kw)'],
    ['odoo/service/model.py', '72', 'execute_cr', 'result = retrying(partial(odoo.api.call_kw, recs, method, args, kw), env)'],
    ['odoo/service/model.py', '156', 'retrying', 'result = func()'],
    ['odoo/api.py', '535', 'call_kw', 'result = getattr(recs, name)(*args, **kwargs)'],
  ],
  'jsonrpc-19': [
    ['odoo/http.py', '2273', '_serve_db', 'return service_model.retrying(serve_func, env=self.env)'],
    ['odoo/service/model.py', '184', 'retrying', 'result = func()'],
    ['odoo/http.py', '2328', '_serve_ir_http', 'response = self.dispatcher.dispatch(rule.endpoint, args)'],
    ['odoo/http.py', '2543', 'dispatch', "result = self.request.registry['ir.http']._dispatch(endpoint)"],
    ['odoo/addons/base/models/ir_http.py', '355', '_dispatch', 'result = endpoint(**request.params)'],
    ['odoo/http.py', '788', 'route_wrapper', 'result = endpoint(self, *args, **params_ok)'],
    ['addons/rpc/controllers/jsonrpc.py', '16', 'jsonrpc', 'return dispatch_rpc(service, method, args)'],
    ['odoo/http.py', '439', 'dispatch_rpc', 'return dispatch(method, params)'],
    ['odoo/service/model.py', '129', 'dispatch', 'res = execute_cr(cr, uid, model, method_, args, kw)'],
    ['odoo/service/model.py', '146', 'execute_cr', 'result = retrying(partial(call_kw, recs, method, args, kw), env)'],
    ['odoo/service/model.py', '184', 'retrying', 'result = func()'],
    ['odoo/service/model.py', '93', 'call_kw', 'result = method(recs, *args, **kwargs)'],
  ],
  'json2-19': [
    ['odoo/http.py', '2273', '_serve_db', 'return service_model.retrying(serve_func, env=self.env)'],
    ['odoo/service/model.py', '184', 'retrying', 'result = func()'],
    ['odoo/http.py', '2328', '_serve_ir_http', 'response = self.dispatcher.dispatch(rule.endpoint, args)'],
    ['odoo/http.py', '2608', 'dispatch', "result = self.request.registry['ir.http']._dispatch(endpoint)"],
    ['odoo/addons/base/models/ir_http.py', '355', '_dispatch', 'result = endpoint(**request.params)'],
    ['odoo/http.py', '788', 'route_wrapper', 'result = endpoint(self, *args, **params_ok)'],
    ['addons/rpc/controllers/json2.py', '86', 'web_json_2_rpc', 'result = func(records, **kwargs)'],
  ],
};

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity' };

export function traceback(version: OdooVersion, transport: 'jsonrpc' | 'json2', name: string, message: string, where?: string, status?: number): string {
  const frames = FRAMES[`${transport}-${version}`] ?? FRAMES[`jsonrpc-${version}`];
  const lines = ['Traceback (most recent call last):'];
  for (const [file, line, fn, code] of frames) {
    lines.push(`  File "<odoo-src>/${file}", line ${line}, in ${fn}`, `    ${code}`, `    ${'^'.repeat(code.length)}`);
  }
  if (where) lines.push(where);
  const short = name.startsWith('builtins.') ? name.slice('builtins.'.length) : name;
  const text = name.startsWith('werkzeug.exceptions.') && status ? `${status} ${STATUS_TEXT[status] ?? ''}: ${message}` : name === 'builtins.KeyError' ? pyRepr(message) : message;
  return `${lines.join('\n')}\n${short}: ${text}\n`;
}

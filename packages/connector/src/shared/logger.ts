import { pino, type Logger as PinoLogger } from 'pino';
import { REDACTED_KEYS, redactUrlSecrets } from './redact.ts';

/**
 * The narrow logger interface the code uses (levels we actually need). Log a failure as the error itself,
 * `logger.error({ err: error }, 'what failed')`: pino's serializer writes its class, message, stack and the chain of
 * causes (`errorMessage(error)` alone loses all but the message).
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  // `err` is serialized by default; `error` too, so either key keeps the stack and causes.
  const errorSerializer = (e: Error) => {
    const out = pino.stdSerializers.err(e) as unknown as Record<string, unknown>;
    if (out && typeof out === 'object') for (const k of ['message', 'stack']) if (typeof out[k] === 'string') out[k] = redactUrlSecrets(out[k] as string);
    return out;
  };
  const serializers = { err: errorSerializer, error: errorSerializer };
  const options = {
    level, redact: { paths, censor: '[redacted]' }, base: undefined, serializers,
    // Values are redacted too: a path or URL in a log line (a request's path, a message) loses its secret parts.
    hooks: { logMethod(this: PinoLogger, args: unknown[], method: (...a: unknown[]) => void) { method.apply(this, args.map((a) => redactLogArg(a))); } },
  };
  const logger: PinoLogger = destination ? pino(options, destination as never) : pino(options);
  return logger as unknown as Logger;
}

/** Strings (also inside plain objects, a few levels down) with the secret parts of URLs removed. */
function redactLogArg(arg: unknown, depth = 0): unknown {
  if (typeof arg === 'string') return redactUrlSecrets(arg);
  if (depth > 3 || !arg || typeof arg !== 'object' || Array.isArray(arg)) return arg;
  const proto = Object.getPrototypeOf(arg);
  // Errors go through the serializer above; other class instances are left as they are.
  if (proto !== Object.prototype && proto !== null) return arg;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(arg)) out[k] = redactLogArg(v, depth + 1);
  return out;
}

/** For tests and commands that must print nothing. */
export const silentLogger: Logger = createLogger('silent');

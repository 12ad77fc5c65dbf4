import { pino, type Logger as PinoLogger } from 'pino';
import { REDACTED_KEYS } from './redact.ts';

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
  const serializers = { err: pino.stdSerializers.err, error: pino.stdSerializers.err };
  const options = { level, redact: { paths, censor: '[redacted]' }, base: undefined, serializers };
  const logger: PinoLogger = destination ? pino(options, destination as never) : pino(options);
  return logger as unknown as Logger;
}

/** For tests and commands that must print nothing. */
export const silentLogger: Logger = createLogger('silent');

import { pino, type Logger as PinoLogger } from 'pino';
import { REDACTED_KEYS } from './redact.ts';

/** The narrow logger interface the code uses (levels we actually need). */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export function createLogger(level = 'info', destination?: NodeJS.WritableStream): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  const options = { level, redact: { paths, censor: '[redacted]' }, base: undefined };
  const logger: PinoLogger = destination ? pino(options, destination as never) : pino(options);
  return logger as unknown as Logger;
}

/** For tests and commands that must print nothing. */
export const silentLogger: Logger = createLogger('silent');

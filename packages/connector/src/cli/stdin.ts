import type { CliRuntime } from './runtime.ts';

/** All of standard input as text. */
export async function readStdinText(runtime: CliRuntime): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of runtime.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The non-empty, trimmed lines of standard input (secrets piped in, never typed on the command line). */
export async function readStdinLines(runtime: CliRuntime): Promise<string[]> {
  return (await readStdinText(runtime)).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

/** The first line of standard input, or '' when it held nothing. */
export async function readSecretFromStdin(runtime: CliRuntime): Promise<string> {
  return (await readStdinLines(runtime))[0] ?? '';
}

/**
 * A secret given as a command-line argument stays in the shell's history and is visible to every local user in the
 * process list while the command runs. The flag keeps working (scripts use it), with this warning on stderr.
 */
export function warnSecretOnCommandLine(runtime: CliRuntime, flag: string, stdinFlag: string): void {
  runtime.err(`Warning: ${flag} puts the secret in your shell history and the process list; pipe it to ${stdinFlag} instead (e.g. printf '%s\\n' "$SECRET" | poleepo-odoo … ${stdinFlag}).`);
}

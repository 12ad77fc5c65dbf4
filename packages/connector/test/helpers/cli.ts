import { Readable, Writable } from 'node:stream';
import { CliRuntime } from '../../src/cli/runtime.ts';
import { runCli } from '../../src/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs the real CLI in-process with its own environment, capturing what it prints. */
export async function cli(args: string[], env: Record<string, string | undefined> = {}, stdin?: string): Promise<CliResult> {
  const runtime = new CliRuntime({ LOG_LEVEL: 'silent', ...env });
  const out = new Capture();
  const err = new Capture();
  runtime.stdout = out;
  runtime.stderr = err;
  if (stdin !== undefined) runtime.stdin = Readable.from([Buffer.from(stdin)]);
  const code = await runCli(args, runtime);
  return { code, stdout: out.text, stderr: err.text };
}

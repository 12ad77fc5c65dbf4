import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { readStdinText } from '../stdin.ts';
import { ValidationError } from '../../shared/errors.ts';
import { createAuth } from '../../auth/auth.service.ts';
import { generatePassword, checkPassword } from '../../auth/users.service.ts';
import { isLang, isRole } from '../../auth/auth.roles.ts';

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/**
 * `user add LOGIN --role admin|operator [--password-stdin] [--lang it|en]`. The password comes from stdin with
 * --password-stdin; otherwise it is asked twice on a terminal; with neither, one is generated and printed once.
 */
export function register(program: Command, runtime: CliRuntime): void {
  const user = program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('console users');
  user.command('add')
    .description('create a console user (admin: everything; operator: daily work, no credentials, users, webhooks or jobs)')
    .argument('<login>', 'login name (letters, digits, . _ - @; case-insensitive)')
    .requiredOption('--role <role>', 'admin or operator')
    .option('--password-stdin', 'read the password from standard input (first line)')
    .option('--lang <lang>', 'console language: it or en', 'it')
    .action(async (login: string, opts: { role: string; passwordStdin?: boolean; lang: string }) => {
      if (!isRole(opts.role)) throw new ValidationError(`--role must be admin or operator (got "${opts.role}")`);
      if (!isLang(opts.lang)) throw new ValidationError(`--lang must be it or en (got "${opts.lang}")`);
      const stdin = runtime.stdin as Input;
      let password: string;
      let generated = false;
      if (opts.passwordStdin) {
        // The first line as typed: a password may begin or end with spaces.
        password = (await readStdinText(runtime)).split(/\r?\n/)[0] ?? '';
        if (!password) throw new ValidationError('--password-stdin: standard input held no password');
      } else if (stdin.isTTY) {
        password = await promptHidden(stdin, runtime.stderr, 'Password: ');
        checkPassword(password);
        const again = await promptHidden(stdin, runtime.stderr, 'Repeat password: ');
        if (again !== password) throw new ValidationError('The two passwords differ; nothing was created');
      } else {
        password = generatePassword();
        generated = true;
      }
      const ctx = await runtime.context();
      const created = await createAuth(ctx).users.create({ login, password, role: opts.role, lang: opts.lang });
      runtime.out(`Created ${created.role} user "${created.login}" (language ${created.lang}).`);
      if (generated) runtime.out(`Generated password (shown only this once, store it now): ${password}`);
    });
}

/** Asks on the terminal without echoing what is typed. */
export async function promptHidden(input: Input, output: NodeJS.WritableStream, question: string): Promise<string> {
  output.write(question);
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    output.write('\n');
  }
}

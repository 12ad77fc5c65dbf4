import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { readStdinText } from '../stdin.ts';
import { ValidationError } from '../../shared/errors.ts';
import { createAuth } from '../../auth/auth.service.ts';
import { generatePassword, checkPassword, normaliseLogin, type PublicUser, type UsersService } from '../../auth/users.service.ts';
import { isLang, isRole } from '../../auth/auth.roles.ts';

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/**
 * `user add LOGIN --role admin|operator [--password-stdin] [--language it|en]`. The password comes from stdin with
 * --password-stdin; otherwise it is asked twice on a terminal; with neither, one is generated and printed once.
 * Without --language none is forced here: the users' service decides (the console's language rules).
 * `user list`, `user passwd LOGIN` (a new password: stdin, asked twice, or generated; the user's sessions end),
 * `user disable|enable LOGIN` (a disabled user is logged out everywhere; the last active admin stays).
 */
export function register(program: Command, runtime: CliRuntime): void {
  const user = program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('console users');
  user.command('add')
    .description('create a console user (admin: everything; operator: daily work, no credentials, users, webhooks or jobs)')
    .argument('<login>', 'login name (letters, digits, . _ - @; case-insensitive)')
    .requiredOption('--role <role>', 'admin or operator')
    .option('--password-stdin', 'read the password from standard input (first line)')
    .option('--language <lang>', 'console language: it or en (default: left to the console)')
    .addOption(new Option('--lang <lang>').hideHelp())
    .action(async (login: string, opts: { role: string; passwordStdin?: boolean; language?: string; lang?: string }) => {
      if (!isRole(opts.role)) throw new ValidationError(`--role must be admin or operator (got "${opts.role}")`);
      const lang = opts.language ?? opts.lang;
      if (lang !== undefined && !isLang(lang)) throw new ValidationError(`--language must be it or en (got "${lang}")`);
      const { password, generated } = await newPassword(runtime, opts.passwordStdin, 'nothing was created');
      const ctx = await runtime.context();
      const created = await createAuth(ctx).users.create({ login, password, role: opts.role, ...(lang !== undefined ? { lang } : {}) });
      runtime.out(`Created ${created.role} user "${created.login}"${lang !== undefined ? ` (language ${created.lang})` : ''}.`);
      if (generated) runtime.out(`Generated password (shown only this once, store it now): ${password}`);
    });

  user.command('list')
    .description('list console users: login, role, language, active, created')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = await runtime.context();
      const users = await createAuth(ctx).users.list();
      runtime.table(users.map((u) => ({ login: u.login, role: u.role, language: u.langChosen ? u.lang : '(browser)', active: u.active ? 'yes' : 'no', created: new Date(u.createdAt).toISOString() })), {
        json: opts.json, empty: 'No console users yet: create the first with "poleepo-odoo user add LOGIN --role admin".',
      });
    });

  user.command('passwd')
    .description('set a new password for a user (standard input, asked twice on a terminal, or generated); their sessions end')
    .argument('<login>', 'the user\'s login')
    .option('--password-stdin', 'read the password from standard input (first line)')
    .action(async (login: string, opts: { passwordStdin?: boolean }) => {
      const ctx = await runtime.context();
      const users = createAuth(ctx).users;
      const target = await userByLogin(users, login);
      const { password, generated } = await newPassword(runtime, opts.passwordStdin, 'the password was not changed');
      await users.resetPassword(target.id, password);
      runtime.out(`New password set for "${target.login}"; their console sessions were ended.`);
      if (generated) runtime.out(`Generated password (shown only this once, store it now): ${password}`);
    });

  for (const [name, active] of [['disable', false], ['enable', true]] as const) {
    user.command(name)
      .description(active ? 'let a disabled user log in again' : 'stop a user logging in (logged out everywhere at once; the last active admin cannot be disabled)')
      .argument('<login>', 'the user\'s login')
      .action(async (login: string) => {
        const ctx = await runtime.context();
        const users = createAuth(ctx).users;
        const target = await userByLogin(users, login);
        // No console user acts here (actor 0): the rule that the last active admin stays still holds.
        const changed = await users.setActive(0, target.id, active);
        runtime.out(`User "${changed.login}" is ${active ? 'enabled' : 'disabled'}${active === target.active ? ' (it already was)' : ''}.`);
      });
  }
}

async function userByLogin(users: UsersService, login: string): Promise<PublicUser> {
  const wanted = normaliseLogin(login);
  const found = (await users.list()).find((u) => u.login === wanted);
  if (!found) throw new ValidationError(`No console user "${login}" (see "poleepo-odoo user list")`);
  return found;
}

/** The password: the first line of stdin (--password-stdin), asked twice on a terminal, or generated. */
async function newPassword(runtime: CliRuntime, fromStdin: boolean | undefined, nothingDone: string): Promise<{ password: string; generated: boolean }> {
  const stdin = runtime.stdin as Input;
  if (fromStdin) {
    // The first line as typed: a password may begin or end with spaces.
    const password = (await readStdinText(runtime)).split(/\r?\n/)[0] ?? '';
    if (!password) throw new ValidationError(`--password-stdin: standard input held no password; ${nothingDone}`);
    checkPassword(password);
    return { password, generated: false };
  }
  if (stdin.isTTY) {
    const password = await promptHidden(stdin, runtime.stderr, 'Password: ');
    checkPassword(password);
    const again = await promptHidden(stdin, runtime.stderr, 'Repeat password: ');
    if (again !== password) throw new ValidationError(`The two passwords differ; ${nothingDone}`);
    return { password, generated: false };
  }
  return { password: generatePassword(), generated: true };
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

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.ts';
import { CliRuntime } from '../src/cli/runtime.ts';
import { openDatabase } from '../src/storage/db.ts';
import { createAuth, firstRunHint } from '../src/auth/auth.service.ts';
import { systemClock } from '../src/shared/clock.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';

/** `poleepo-odoo user add`, in process (stdin and stdout as streams) and once as a real process. */
describe('user add command', () => {
  let dir: string;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function env() {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-cli-'));
    return { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: 'silent' };
  }

  async function run(args: string[], environment: Record<string, string>, stdin: NodeJS.ReadableStream & { isTTY?: boolean }) {
    const runtime = new CliRuntime(environment);
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d) => (stdout += d));
    err.on('data', (d) => (stderr += d));
    runtime.stdout = out;
    runtime.stderr = err;
    Object.assign(runtime, { stdin });
    const code = await runCli(args, runtime);
    return { code, stdout, stderr };
  }

  async function verify(environment: Record<string, string>, login: string, password: string) {
    const db = await openDatabase(environment.DATABASE_URL);
    try {
      return await createAuth({ db, clock: systemClock }).users.verifyCredentials(login, password);
    } finally {
      await db.close();
    }
  }

  it('reads the password from stdin with --password-stdin', async () => {
    const e = env();
    const r = await run(['user', 'add', 'Admin', '--role', 'admin', '--password-stdin', '--lang', 'en'], e, Readable.from(['s3cret password\n']));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('Created admin user "admin" (language en).\n');
    expect(await verify(e, 'admin', 's3cret password')).toMatchObject({ role: 'admin', lang: 'en' });
    const db = await openDatabase(e.DATABASE_URL);
    expect(await firstRunHint({ db, clock: systemClock })).toBeNull();
    await db.close();
  });

  it('generates a password and prints it once when there is no terminal and no --password-stdin', async () => {
    const e = env();
    const r = await run(['user', 'add', 'clerk', '--role', 'operator'], e, Readable.from([]));
    expect(r.code).toBe(0);
    const password = /shown only this once, store it now\): (\S+)/.exec(r.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(await verify(e, 'clerk', password!)).toMatchObject({ role: 'operator' });
  });

  it('asks twice on a terminal, without echo, and refuses two different answers', async () => {
    const e = env();
    /** A terminal that types each answer when its prompt appears on stderr, as a person would. */
    async function onTerminal(args: string[], answers: string[]) {
      const tty = Object.assign(new PassThrough(), { isTTY: true });
      const runtime = new CliRuntime(e);
      const out = new PassThrough();
      const err = new PassThrough();
      let stdout = '';
      let stderr = '';
      let prompts = 0;
      out.on('data', (d) => (stdout += d));
      err.on('data', (d) => {
        stderr += d;
        const asked = (stderr.match(/[Pp]assword: /g) ?? []).length;
        while (prompts < asked) tty.write(`${answers[prompts++]}\n`);
      });
      Object.assign(runtime, { stdout: out, stderr: err, stdin: tty });
      const code = await runCli(args, runtime);
      return { code, stdout, stderr };
    }
    const ok = await onTerminal(['user', 'add', 'anna', '--role', 'admin'], ['typed password 1', 'typed password 1']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('Password: \nRepeat password: \n');
    // No --language: none is forced here (the console decides the user's language).
    expect(ok.stdout).toBe('Created admin user "anna".\n');
    expect(await verify(e, 'anna', 'typed password 1')).not.toBeNull();
    const differ = await onTerminal(['user', 'add', 'bob', '--role', 'operator'], ['first password 1', 'other password 2']);
    expect(differ.code).toBe(1);
    expect(differ.stderr).toContain('The two passwords differ; nothing was created');
    expect(differ.stderr + differ.stdout).not.toContain('password 1');
    expect(await verify(e, 'bob', 'first password 1')).toBeNull();
  });

  it('refuses a bad role, a bad language, a short password and a duplicate login with one line and exit code 1', async () => {
    const e = env();
    expect(await run(['user', 'add', 'x', '--role', 'root'], e, Readable.from([]))).toMatchObject({ code: 1, stderr: 'Error: --role must be admin or operator (got "root")\n' });
    expect(await run(['user', 'add', 'x', '--role', 'admin', '--lang', 'de'], e, Readable.from([]))).toMatchObject({ code: 1, stderr: 'Error: --language must be it or en (got "de")\n' });
    expect(await run(['user', 'add', 'x', '--role', 'admin', '--language', 'fr'], e, Readable.from([]))).toMatchObject({ code: 1, stderr: 'Error: --language must be it or en (got "fr")\n' });
    expect(await run(['user', 'add', 'x', '--role', 'admin', '--password-stdin'], e, Readable.from(['short\n']))).toMatchObject({ code: 1, stderr: 'Error: The password must be at least 10 characters long\n' });
    expect((await run(['user', 'add', 'x', '--role', 'admin', '--password-stdin'], e, Readable.from(['long enough pw\n']))).code).toBe(0);
    expect(await run(['user', 'add', 'X', '--role', 'admin', '--password-stdin'], e, Readable.from(['long enough pw\n']))).toMatchObject({ code: 1, stderr: 'Error: A user "x" already exists\n' });
    expect(await run(['user', 'add', 'x', '--role', 'admin', '--password-stdin'], e, Readable.from(['']))).toMatchObject({ code: 1, stderr: 'Error: --password-stdin: standard input held no password; nothing was created\n' });
  });

  it('works as a real process: `poleepo-odoo user add … --password-stdin` with the password piped in', async () => {
    const e = env();
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'poleepo-odoo.js'), 'user', 'add', 'ops', '--role', 'operator', '--password-stdin'], {
      env: { ...process.env, ...e }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stdin.end('piped password 9\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe('Created operator user "ops".\n');
    expect(await verify(e, 'ops', 'piped password 9')).not.toBeNull();
  });

  it('user list, user passwd (stdin; sessions end), user disable and enable; the last admin stays; an unknown login is refused', async () => {
    const e = env();
    // Read-only: no database yet is said, not created.
    const missing = await run(['user', 'list'], e, Readable.from([]));
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error: No database at .*db\.sqlite: nothing to show, and nothing was created\. [^\n]*\n$/) });
    expect(existsSync(e.DATABASE_URL.slice('sqlite:'.length))).toBe(false);
    expect((await run(['migrate'], e, Readable.from([]))).code).toBe(0);
    const none = await run(['user', 'list'], e, Readable.from([]));
    expect(none).toMatchObject({ code: 0, stdout: expect.stringContaining('No console users yet') });
    expect((await run(['user', 'add', 'admin', '--role', 'admin', '--password-stdin', '--language', 'en'], e, Readable.from(['first password 1\n']))).code).toBe(0);
    expect((await run(['user', 'add', 'clerk', '--role', 'operator', '--password-stdin'], e, Readable.from(['clerk password 1\n']))).code).toBe(0);
    const listed = await run(['user', 'list'], e, Readable.from([]));
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^LOGIN\s+ROLE\s+LANGUAGE\s+ACTIVE\s+CREATED$/m);
    expect(listed.stdout).toMatch(/^admin\s+admin\s+en\s+yes\s+\d{4}-/m);
    expect(listed.stdout).toMatch(/^clerk\s+operator\s+\S*\s*yes\s+\d{4}-/m);
    const json = JSON.parse((await run(['user', 'list', '--json'], e, Readable.from([]))).stdout) as { login: string; active: string }[];
    expect(json.map((u) => u.login).sort()).toEqual(['admin', 'clerk']);

    // A lost password: set a new one from stdin; the old one stops working, and the user's sessions end.
    const db = await openDatabase(e.DATABASE_URL);
    const auth = createAuth({ db, clock: systemClock });
    const admin = (await auth.users.verifyCredentials('admin', 'first password 1'))!;
    await auth.sessions.create(admin.id);
    expect(await db.kysely.selectFrom('sessions').select('id').where('user_id', '=', admin.id).execute()).toHaveLength(1);
    const passwd = await run(['user', 'passwd', 'Admin', '--password-stdin'], e, Readable.from(['second password 2\n']));
    expect(passwd).toMatchObject({ code: 0, stdout: 'New password set for "admin"; their console sessions were ended.\n' });
    expect(await verify(e, 'admin', 'first password 1')).toBeNull();
    expect(await verify(e, 'admin', 'second password 2')).not.toBeNull();
    const sessions = await db.kysely.selectFrom('sessions').select('id').where('user_id', '=', admin.id).execute();
    expect(sessions).toEqual([]);
    await db.close();
    expect(await run(['user', 'passwd', 'admin', '--password-stdin'], e, Readable.from(['short\n']))).toMatchObject({ code: 1, stderr: 'Error: The password must be at least 10 characters long\n' });
    expect(await verify(e, 'admin', 'second password 2')).not.toBeNull();

    // Disable: no more logins; enable again; the last active admin cannot be disabled.
    expect(await run(['user', 'disable', 'clerk'], e, Readable.from([]))).toMatchObject({ code: 0, stdout: 'User "clerk" is disabled.\n' });
    expect(await verify(e, 'clerk', 'clerk password 1')).toBeNull();
    expect(await run(['user', 'enable', 'clerk'], e, Readable.from([]))).toMatchObject({ code: 0, stdout: 'User "clerk" is enabled.\n' });
    expect(await verify(e, 'clerk', 'clerk password 1')).not.toBeNull();
    expect(await run(['user', 'disable', 'admin'], e, Readable.from([]))).toMatchObject({ code: 1, stderr: 'Error: At least one active administrator must remain\n' });
    expect(await run(['user', 'disable', 'nobody'], e, Readable.from([]))).toMatchObject({ code: 1, stderr: 'Error: No console user "nobody" (see "poleepo-odoo user list")\n' });
    expect(await run(['user', 'passwd', 'nobody', '--password-stdin'], e, Readable.from(['whatever pass 1\n']))).toMatchObject({ code: 1, stderr: 'Error: No console user "nobody" (see "poleepo-odoo user list")\n' });
  });
});

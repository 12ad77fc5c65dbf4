// A throwaway PostgreSQL cluster from the installed server binaries (Debian's `postgresql` package), on 127.0.0.1 and
// a free port, for the tests and the benchmarks. PostgreSQL refuses to run as root: then it runs as `postgres`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

function findPgBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startPrivatePostgres() {
  const bin = findPgBin();
  if (!bin) {
    console.error('PostgreSQL server binaries not found: install them (apt-get install postgresql) or set TEST_DATABASE_URL.');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-pg-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid && process.getuid() === 0;
  // PostgreSQL refuses to run as root: run its binaries as the `postgres` system user the package creates.
  const run = (cmd, args) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    return spawnSync(full[0], full[1], { encoding: 'utf8' });
  };
  let r = run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  r = run('pg_ctl', ['-D', dataDir, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr, existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '');
    process.exit(1);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      run('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFixture, routeSamples, type ConsoleClient, type ConsoleFixture } from './helpers/console.ts';
import { en } from '../src/console/i18n/en.ts';
import { it as itDict } from '../src/console/i18n/it.ts';
import { I18n, MISSING_OPEN } from '../src/console/i18n/i18n.ts';
import { CONSOLE_PAGES } from '../src/console/console.pages.ts';
import type { Lang } from '../src/auth/auth.roles.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('console languages', () => {
  let f: ConsoleFixture;
  const browsers: Partial<Record<Lang, ConsoleClient>> = {};
  beforeAll(async () => {
    f = await consoleFixture('sqlite');
    browsers.it = await f.loggedIn('admin', 'amministratore', 'it');
    browsers.en = await f.loggedIn('admin', 'administrator', 'en');
    await f.loggedIn('operator', 'operatore', 'it');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('has the same keys in Italian and English, for the core and every page', () => {
    expect(Object.keys(itDict).sort()).toEqual(Object.keys(en).sort());
    const i18n = new I18n([{ en, it: itDict }, ...CONSOLE_PAGES.flatMap((p) => (p.messages ? [p.messages] : []))]);
    expect(i18n.missingKeys()).toEqual([]);
    expect(() => new I18n([{ en: { a: 'A', b: 'B' }, it: { a: 'A' } }])).toThrow(/b \(it\)/);
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(itDict[key].trim(), key).not.toBe('');
  });

  it("keeps the original module's Italian labels", () => {
    expect(itDict['status.webhookQueue.pending']).toBe('In Attesa');
    expect(itDict['status.webhookQueue.done']).toBe('Completato');
    expect(itDict['status.webhookQueue.failed']).toBe('Fallito');
    expect(itDict['poleepo.published']).toBe('Pubblicato su Poleepo');
    expect(itDict['poleepo.shipWith']).toBe('Spedisci con Poleepo');
    expect(itDict['poleepo.deliveredToCourier']).toBe('Consegnato al corriere');
  });

  it('uses only keys that exist (every literal t(…) key in the console sources)', () => {
    const i18n = new I18n([{ en, it: itDict }, ...CONSOLE_PAGES.flatMap((p) => (p.messages ? [p.messages] : []))]);
    const known = new Set(i18n.keys('en'));
    const used = new Set<string>();
    for (const file of sourceFiles(join(import.meta.dirname, '..', 'src', 'console'))) {
      // Comments hold examples (the how-to at the top of console.app.tsx), not real uses.
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/\blabel: '([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/\bkey: '([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !known.has(k))).toEqual([]);
  });

  for (const lang of ['it', 'en'] as const) {
    it(`renders every page in ${lang} with no missing key`, async () => {
      const browser = browsers[lang]!;
      const concrete = await routeSamples(f);
      const paths = f.app.routeTable.filter((r) => r.method === 'GET').map(concrete);
      // Plus the states pages only show on some answers: errors, refusals, empty filters.
      paths.push('/api-log?errors=1&system=odoo&period=1h', '/users/99999', '/api-log/99999');
      for (const path of paths) {
        const res = await browser.get(path);
        const html = await res.text();
        expect(html, `${path} (${lang})`).not.toContain(MISSING_OPEN);
        if (res.status === 200 && path !== '/login') expect(html, path).toContain(`<html lang="${lang}"`);
      }
      const refused = await browser.post('/account/lang', { lang }, { csrf: false });
      expect(refused.status).toBe(403);
      expect(await refused.text()).not.toContain(MISSING_OPEN);
      const anonymous = f.client();
      for (const res of [await anonymous.get(`/login?lang=${lang}`), await anonymous.post(`/login?lang=${lang}`, { login: 'x', password: 'y' })]) {
        const html = await res.text();
        expect(html).toContain(`<html lang="${lang}"`);
        expect(html).not.toContain(MISSING_OPEN);
      }
    });
  }

  it('shows the 403 page in the operator\'s language', async () => {
    const operator = f.client();
    await operator.login('operatore', 'correct horse battery');
    const res = await operator.get('/users');
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('Non consentito');
    expect(html).not.toContain(MISSING_OPEN);
  });

  it('picks the language of a visitor not logged in from ?lang, then the cookie, then Accept-Language', async () => {
    const visitor = f.client();
    expect(await (await visitor.get('/login', { 'Accept-Language': 'en-US,en;q=0.9,it;q=0.5' })).text()).toContain('<html lang="en"');
    expect(await (await visitor.get('/login', { 'Accept-Language': 'de-DE,de;q=0.9' })).text()).toContain('<html lang="it"');
    await visitor.get('/login?lang=en');
    expect(await (await visitor.get('/login', { 'Accept-Language': 'it' })).text()).toContain('<html lang="en"');
  });
});

import { LANGS, type Lang } from '../../auth/auth.roles.ts';

export type Messages = Readonly<Record<string, string>>;

/** A page's own keys in both languages (the type makes the two sets match). */
export interface PageMessages {
  en: Messages;
  it: Messages;
}

/** Declares page messages so that Italian must have exactly the English keys. */
export function defineMessages<const E extends Record<string, string>>(messages: { en: E; it: { [K in keyof E]: string } }): PageMessages {
  return messages;
}

export type Params = Record<string, string | number>;

export interface Translator {
  (key: string, params?: Params): string;
  readonly lang: Lang;
  has(key: string): boolean;
}

/** Rendered in place of a missing key, so a missing translation is visible (and the tests find it). */
export const MISSING_OPEN = '⟦';
export const MISSING_CLOSE = '⟧';

/** The console's dictionaries: the core one plus each page's, checked once at start. */
export class I18n {
  private readonly dictionaries: Record<Lang, Map<string, string>> = { it: new Map(), en: new Map() };

  constructor(bundles: PageMessages[]) {
    for (const bundle of bundles) {
      for (const lang of LANGS) {
        for (const [key, value] of Object.entries(bundle[lang])) {
          if (this.dictionaries[lang].has(key)) throw new Error(`i18n: key "${key}" is defined twice (${lang})`);
          this.dictionaries[lang].set(key, value);
        }
      }
    }
    const missing = this.missingKeys();
    if (missing.length > 0) throw new Error(`i18n: keys missing in a language: ${missing.map((m) => `${m.key} (${m.lang})`).join(', ')}`);
  }

  /** Keys present in one language and not the other. */
  missingKeys(): { key: string; lang: Lang }[] {
    const out: { key: string; lang: Lang }[] = [];
    for (const lang of LANGS) {
      for (const other of LANGS) {
        if (other === lang) continue;
        for (const key of this.dictionaries[other].keys()) if (!this.dictionaries[lang].has(key)) out.push({ key, lang });
      }
    }
    return out;
  }

  keys(lang: Lang): string[] {
    return [...this.dictionaries[lang].keys()];
  }

  translator(lang: Lang): Translator {
    const dict = this.dictionaries[lang];
    const t = ((key: string, params?: Params) => {
      const template = dict.get(key);
      if (template === undefined) return `${MISSING_OPEN}${key}${MISSING_CLOSE}`;
      return params ? template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : template;
    }) as Translator;
    Object.defineProperty(t, 'lang', { value: lang });
    Object.defineProperty(t, 'has', { value: (key: string) => dict.has(key) });
    return t;
  }
}

/** The preferred language of a browser that is not logged in (Accept-Language), Italian by default. */
export function langFromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return 'it';
  const ranked = header.split(',').map((part) => {
    const [tag = '', ...rest] = part.trim().split(';');
    const q = rest.find((r) => r.trim().startsWith('q='));
    return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
  }).sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0] ?? '';
    if ((LANGS as readonly string[]).includes(base)) return base as Lang;
  }
  return 'it';
}

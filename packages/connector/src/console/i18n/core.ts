import type { PageMessages } from './i18n.ts';
import { en } from './en.ts';
import { it } from './it.ts';

/** The core dictionary (shared words and the built-in pages), both languages. */
export const coreMessages: PageMessages = { en, it };

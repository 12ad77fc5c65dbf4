#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a clean clone needs only `npm ci` (no build step to forget).
import { register } from 'tsx/esm/api';
register();
// How the process's heap grows (src/shared/heap.ts): set once, before the work starts.
const { limitHeapGrowth } = await import('../src/shared/heap.ts');
limitHeapGrowth();
await import('../src/cli/main.ts');

export { startPoleepoSandbox, defaultKnobs, type PoleepoSandbox } from './poleepo-sandbox.server.ts';
export { newSandboxClient } from './poleepo-sandbox.auth.ts';
export type * from './poleepo-sandbox.types.ts';
export { maxInWindow, type EndpointStats } from './poleepo-sandbox.limits.ts';
export { italianFiscalCode } from './poleepo-sandbox.people.ts';
export { buildLabelPdf } from './poleepo-sandbox.pdf.ts';
export { sandboxOptions, sandboxBanner, stopSandboxOnSignal, SandboxUsageError, DEFAULT_SANDBOX_PORT, type SandboxCliOptions } from './cli.ts';

/**
 * The dependency rules CI enforces (`npm run lint`): packages depend one way, the connector's layers point down,
 * and nothing imports in a circle. Layers: entry points (cli, console, server, webhooks routes, demo, app) →
 * services (orders, products, shipping, provisioning, connections, auth, jobs, tasks, images) → clients and
 * repositories (odoo, poleepo, http, apilog, ratelimit), observability (metrics) → storage, config, shared.
 */
const SERVICES = 'orders|products|shipping|provisioning|connections|auth|jobs|tasks|images|webhooks';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'A cycle makes modules load half-initialised and hides the layering.', from: {}, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
    {
      name: 'outside-world-never-imports-the-connector', severity: 'error',
      comment: 'The emulator, the sandbox, the tax engine and the clock stand alone: any integration can use them.',
      from: { path: '^packages/(odoo-emulator|poleepo-sandbox|odoo-tax-engine|clock)/' }, to: { path: '^packages/connector/' },
    },
    {
      name: 'connector-uses-the-emulator-only-in-demo-and-sandbox-commands', severity: 'error',
      comment: 'Production code talks to Odoo and Poleepo through their APIs; only `demo` and `sandbox` start the stand-ins.',
      from: { path: '^packages/connector/src/', pathNot: '^packages/connector/src/(demo/|cli/commands/(sandbox-odoo|sandbox-poleepo|demo)\\.command\\.ts)' },
      to: { path: '^packages/(odoo-emulator|poleepo-sandbox)/' },
    },
    {
      name: 'tax-engine-is-pure', severity: 'error', comment: 'Pure calculation: no other package.',
      from: { path: '^packages/odoo-tax-engine/src/' }, to: { path: '^packages/(?!odoo-tax-engine/)' },
    },
    {
      name: 'storage-and-shared-point-nowhere-up', severity: 'error',
      comment: 'The bottom layer knows no module above it.',
      from: { path: '^packages/connector/src/(storage|shared|config)/' },
      to: { path: `^packages/connector/src/(${SERVICES}|odoo|poleepo|http|apilog|ratelimit|observability|cli|console|server|demo|app)/` },
    },
    {
      name: 'clients-do-not-know-services', severity: 'error',
      comment: 'API clients and repositories serve the modules; they never call back into them.',
      from: { path: '^packages/connector/src/(odoo|poleepo|http|apilog|ratelimit|observability)/' },
      to: { path: `^packages/connector/src/(${SERVICES}|cli|console|demo|app)/` },
    },
    {
      name: 'services-do-not-know-entry-points', severity: 'error',
      comment: 'Services never see the console, the CLI or the composition root (they receive what they need).',
      from: { path: `^packages/connector/src/(${SERVICES})/` },
      to: { path: '^packages/connector/src/(cli|console|demo|app/modules)' },
    },
    {
      name: 'only-routes-touch-the-http-server', severity: 'error',
      comment: 'src/server/ is the HTTP entry point; a service or a client that needs something there (metrics did) gets it moved down (src/observability/).',
      from: { path: `^packages/connector/src/(${SERVICES}|odoo|poleepo|http|apilog|ratelimit|observability|storage|shared|config)/`, pathNot: '\\.routes\\.tsx?$' },
      to: { path: '^packages/connector/src/server/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^recordings/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    preserveSymlinks: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'], extensions: ['.ts', '.tsx', '.js'] },
  },
};

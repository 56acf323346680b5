/**
 * The house (DESIGN.md): arrows only point down. Do not relax these rules to make a change pass;
 * move the code instead.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'renderer-only-contract',
      comment: 'The renderer knows only the preload contract: nothing of main/, server/, protocol/ or platform/.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(main|server|protocol|platform)/' },
    },
    {
      name: 'renderer-no-node',
      comment: 'The renderer runs in a sandboxed page: no Node built-ins.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-imports-only-preload-api',
      comment: 'From preload/ the renderer imports the contract types only.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^preload/', pathNot: '^preload/api\\.ts$' },
    },
    {
      name: 'console-only-its-own',
      comment: 'The developer console is a page of its own: of ours it imports only the error codes (protocol/errors.ts).',
      severity: 'error',
      from: { path: '^console/' },
      to: { path: '^(main|server|preload|renderer|platform|test|bench|protocol)/', pathNot: '^protocol/errors\\.ts$' },
    },
    {
      name: 'console-no-node',
      comment: 'The console runs in a browser: no Node built-ins.',
      severity: 'error',
      from: { path: '^console/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'nobody-imports-console',
      comment: 'The server serves the built console (out/console); no code imports its sources but its own unit tests.',
      severity: 'error',
      from: { pathNot: '^(console|test/unit/console)/' },
      to: { path: '^console/' },
    },
    {
      name: 'only-electron-shell-imports-electron',
      comment: "Only main/electron/ and preload/ may import 'electron'; everything else runs in plain Node.",
      severity: 'error',
      from: { pathNot: '^(main/electron|preload)/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'protocol-is-pure',
      comment: 'protocol/ imports nothing of ours.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: '^(server|main|preload|renderer|test|bench)/' },
    },
    {
      name: 'platform-is-pure',
      comment: 'platform/ is Node plumbing both halves share (SQLite migrations, the checkpoint worker): it imports nothing of ours.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(protocol|server|main|preload|renderer|test|bench)/' },
    },
    {
      name: 'main-never-imports-server',
      comment: 'The client core never imports the server (tests may use both).',
      severity: 'error',
      from: { path: '^(main|preload)/' },
      to: { path: '^server/' },
    },
    {
      name: 'server-never-imports-client',
      comment: 'The server never imports the client.',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(main|preload|renderer)/' },
    },
    {
      name: 'preload-only-contract',
      comment: 'The preload exposes the contract; it does not pull in the core.',
      severity: 'error',
      from: { path: '^preload/' },
      to: { path: '^(main|server|renderer)/' },
    },
    {
      name: 'client-store-is-bottom',
      comment: 'Inside the client (docs/client.md "Layers"): the store knows nothing above it.',
      severity: 'error',
      from: { path: '^main/store/' },
      to: { path: '^main/(?!store/)' },
    },
    {
      name: 'client-engine-below-client',
      comment: 'The engine knows the store (through its seams) and nothing above.',
      severity: 'error',
      from: { path: '^main/engine/' },
      to: { path: '^main/(client|chat|groups|profiles|notifications|views|core|api|cli|web|electron)/' },
    },
    {
      name: 'client-below-services',
      comment: 'MagpieClient (one user\'s store, connection and sync) knows no service, core or shell.',
      severity: 'error',
      from: { path: '^main/client/' },
      to: { path: '^main/(chat|groups|profiles|notifications|views|core|api|cli|web|electron)/' },
    },
    {
      name: 'client-services-below-core',
      comment: 'Services are used by the core and the shells, never the other way round.',
      severity: 'error',
      from: { path: '^main/(chat|groups|profiles|notifications|views)/' },
      to: { path: '^main/(core|api|cli|web|electron)/' },
    },
    {
      name: 'client-core-below-shells',
      comment: 'The core serves every shell and imports none of them.',
      severity: 'error',
      from: { path: '^main/(core|api)/' },
      to: { path: '^main/(cli|web|electron)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // node_modules is not followed but must not be excluded: excluding it also drops every
    // dependency that resolves into it, and the electron rule above would never see 'electron'
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(out|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.vue', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

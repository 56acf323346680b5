/**
 * The house (DESIGN.md): arrows only point down. Do not relax these rules to make a change pass;
 * move the code instead.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'renderer-only-contract',
      comment: 'The renderer knows only the preload contract: nothing of main/, server/ or protocol/.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(main|server|protocol)/' },
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
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(out|dist|node_modules)/' },
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

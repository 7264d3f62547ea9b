// `npm run build`, after tsc: the `agentbench` command as one bundle in dist/bundle/, tsc's
// dist/ modules and their dependencies in a few dozen files instead of ~500 (dist, zod, yaml...),
// which halves the command's start-up (docs/performance.md). Same code, same behaviour: the
// unbundled dist/ stays for the library export, the tests and the dev scripts. `cell-worker` is
// an entry of its own beside the command's, where `run --jobs` looks for it
// (harness/runner/cell-pool.ts). Lazy imports (the HTML report's vega, the live router,
// autocannon, every command but `run`: harness/cli/main.ts) stay lazy as chunks. A plain .mjs
// script: it runs before anything is built.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'rolldown';
import { buildInputsDigest, STAMP } from './build-inputs.mjs';

rmSync(STAMP, { force: true }); // a build that stops half-way leaves no stamp
rmSync('dist/bundle', { recursive: true, force: true }); // chunk names carry hashes: no stale ones
await build({
  input: { agentbench: 'dist/harness/cli/main.js', 'cell-worker': 'dist/harness/runner/cell-worker.js' },
  platform: 'node',
  // Loaded by the live commands only; kept as the installed packages (autocannon's histogram
  // encoder reaches for `require` through eval, which an ES module bundle does not have).
  external: ['autocannon', 'undici'],
  logLevel: 'warn',
  output: {
    dir: 'dist/bundle', format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js',
    // Everything the entries import statically (the CLI with `run`, the cell worker) in one chunk:
    // left to itself rolldown splits it into ~50 files by which lazily loaded commands share what,
    // and loading those costs a run ~30 ms. The entry modules stay out: their top-level code
    // (the worker's message handler, the CLI's start) must run only in their own entry.
    codeSplitting: { groups: [{ name: 'initial', tags: ['$initial'], test: (id) => !/cell-worker|cli[\\/]main/.test(id) }] },
  },
});
for (const f of ['dist/harness/cli/main.js', 'dist/bundle/agentbench.js']) chmodSync(f, 0o755);
// Last: the build is whole, so `prepare` may skip the next one while the inputs stay the same.
writeFileSync(STAMP, buildInputsDigest());

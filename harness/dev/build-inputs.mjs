// What `npm run build` is made from, as one digest: every file under the compiled folders (tsc's
// `include`, the bundler script among them), the tsconfigs and the package files (dependencies
// are bundled). `npm run build` records it in dist/ once it succeeds (build-bundle.mjs), and the
// `prepare` script skips the build when dist/ was made from exactly these inputs (prepare.mjs).
// A plain .mjs script: it runs before anything is built.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** tsc's `include` (tsconfig.json, which may carry comments, so it is not parsed here: a test compares them). */
export const FOLDERS = ['sim', 'policies', 'workloads', 'harness', 'reports'];
const FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

/** Where the digest of the last successful build's inputs is kept. */
export const STAMP = 'dist/.build-inputs';

/** SHA-256 over the inputs' paths (relative to `root`) and contents, in a fixed order. */
export function buildInputsDigest(root = '.') {
  const hash = createHash('sha256');
  // A missing input (a build from a partial copy, as a container build may be) is left out, not fatal.
  const files = FILES.filter((f) => existsSync(join(root, f)));
  for (const folder of FOLDERS.filter((d) => existsSync(join(root, d)))) {
    for (const f of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
      if (f.isFile()) files.push(relative(root, join(f.parentPath ?? f.path, f.name)));
    }
  }
  for (const f of files.sort()) hash.update(`${f}\0`).update(readFileSync(join(root, f))).update('\0');
  return hash.digest('hex');
}

// The `prepare` script (`npm ci`, `npm pack`, and `npx agentbench` in a checkout): build dist/
// unless it was built from exactly these inputs. npm 11's `npx <bin>` inside a package that has
// that bin installs the package into npx's cache and runs its `prepare` there first, so without
// this check a newcomer's first `npx agentbench …` after `npm ci` rebuilt everything (~14 s)
// before running. `npm run build` always builds. A plain .mjs script: it runs before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { buildInputsDigest, STAMP } from './build-inputs.mjs';

const upToDate = existsSync('dist/bundle/agentbench.js') && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === buildInputsDigest();
if (!upToDate) {
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
  process.exitCode = r.status ?? 1;
}

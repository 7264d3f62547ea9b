import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cliArgProblems } from './cli-args.js';
import { parseScenario } from '../scenario/load.js';
import { parseBackends } from '../live/router/backends-file.js';

// What cannot run here (docker build, kubectl apply, a GitHub runner) is checked statically: the
// files parse, name the image the Dockerfile builds, pass `agentbench` arguments the real CLI
// accepts, and reference files and ConfigMap keys that exist.
const ROOT = join(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'ab-deploy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(n) ? [p] : [];
  });
}
const FILES = [
  ...yamlFiles(join(ROOT, 'deploy')), ...yamlFiles(join(ROOT, 'examples/k8s')), ...yamlFiles(join(ROOT, 'examples/github-actions')),
  ...yamlFiles(join(ROOT, 'examples/custom-policy/.github/workflows')), join(ROOT, 'action.yml'), ...yamlFiles(join(ROOT, '.github/workflows')),
];
type Doc = Record<string, unknown>;
const docsOf = (file: string): Doc[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
  if (d.errors.length > 0) throw new Error(`${relative(ROOT, file)}: ${d.errors[0]!.message}`);
  return d.toJS() as Doc;
}).filter((d) => d !== null);

// The image the Dockerfile builds: its `docker build ... -t <name>` line.
const DOCKERFILE = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
const IMAGE = /docker build -f deploy\/Dockerfile -t (\S+) \./.exec(DOCKERFILE)?.[1];

/** `$((JOB_COMPLETION_INDEX + 1))` and `${{ matrix.shard }}` stand for one value: 1. */
const substitute = (s: string): string => s.replace(/\$\(\([^)]*\)\)/g, '1').replace(/\$\{\{[^}]*\}\}/g, '1');

/** The agentbench argv in a shell line (`npx agentbench ...`, `node dist/bundle/agentbench.js ...`, `node dist/harness/cli/main.js ...`), if any. */
function agentbenchArgv(line: string): string[] | undefined {
  const m = /(?:npx(?: --no-install)? agentbench|node (?:\S*\/)?dist\/(?:harness\/cli\/main|bundle\/agentbench)\.js)\s+(.*)$/.exec(substitute(line));
  if (!m) return undefined;
  const words = [...m[1]!.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((w) => w[1] ?? w[2] ?? w[3]!);
  const end = words.findIndex((w) => /^(\||&&|;|>|>>|2>)$/.test(w) || w.startsWith('#'));
  return end < 0 ? words : words.slice(0, end);
}

interface Container { image?: string; command?: string[]; args?: string[]; volumeMounts?: { name: string; mountPath: string }[] }
interface PodSpec { containers: Container[]; volumes?: { name: string; configMap?: { name: string } }[] }
function podSpecs(doc: Doc): PodSpec[] {
  const spec = doc['spec'] as { template?: { spec?: PodSpec } } | undefined;
  return spec?.template?.spec ? [spec.template.spec] : [];
}

/** The agentbench argv a container runs (ENTRYPOINT is the CLI; `sh -c` lines are read as shell). */
function containerArgv(c: Container): string[] {
  if (c.command?.[0] === 'sh') return agentbenchArgv((c.args ?? []).join(' ')) ?? [];
  return (c.args ?? []).map(substitute);
}

describe('deploy/Dockerfile', () => {
  it('builds the CLI package.json names as bin, runs it as the entrypoint, non-root, from sources that exist', () => {
    expect(IMAGE).toBe('agentbench');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(DOCKERFILE).toContain(`ENTRYPOINT ["node", "${pkg.bin['agentbench']}"]`);
    expect(DOCKERFILE).toMatch(/^USER node$/m);
    for (const m of DOCKERFILE.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of m[1]!.split(/\s+/)) expect(existsSync(join(ROOT, src)), `COPY ${src}`).toBe(true);
    }
  });
});

describe.each(FILES.map((f) => [relative(ROOT, f), f]))('%s', (_rel, file) => {
  const docs = docsOf(file);

  it('parses, and every agentbench image is the one the Dockerfile builds', () => {
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      for (const p of podSpecs(d)) {
        for (const c of p.containers) {
          if (c.image?.startsWith(`${IMAGE}:`) || c.image === IMAGE) continue;
          expect(c.image, `${String(d['kind'])} container image`).toMatch(new RegExp(`^${IMAGE}(:|$)`));
        }
      }
    }
  });

  it('passes agentbench arguments the CLI accepts, naming files and ConfigMap keys that exist', async () => {
    const configMaps = new Map(docs.filter((d) => d['kind'] === 'ConfigMap').map((d) => [(d['metadata'] as { name: string }).name, d['data'] as Record<string, string>]));
    let checked = 0;
    for (const d of docs) {
      for (const p of podSpecs(d)) {
        for (const c of p.containers) {
          const argv = containerArgv(c);
          expect(await cliArgProblems(argv), argv.join(' ')).toEqual([]);
          checked++;
          // A path under a mounted ConfigMap must be one of its keys (a typo would start a pod that cannot read it).
          for (const arg of argv) {
            const path = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
            // Only ConfigMap volumes have content to check here (a PersistentVolumeClaim is filled at run time).
            const mount = c.volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`) && p.volumes?.some((v) => v.name === m.name && v.configMap));
            if (!mount) {
              if (/^scenarios\/.*\.yaml$/.test(path)) expect(existsSync(join(ROOT, path)), path).toBe(true); // the image has scenarios/
              continue;
            }
            const cm = p.volumes?.find((v) => v.name === mount.name)?.configMap?.name;
            const data = cm === undefined ? undefined : configMaps.get(cm);
            const key = path.slice(mount.mountPath.length + 1);
            expect(data?.[key], `${path}: key '${key}' of ConfigMap ${String(cm)}`).toBeDefined();
            const local = join(tmp, key);
            writeFileSync(local, data![key]!);
            if (argv[0] === 'router') expect(parseBackends([], local, undefined).length).toBeGreaterThan(0);
            if (argv[0] === 'run') expect(parseScenario(data![key]!, local).scenario.mode).toBe('live');
          }
        }
      }
      // GitHub workflows and the composite action: `run:` lines, and the action's inputs.
      type Step = { run?: string; uses?: string; with?: Record<string, string> };
      const jobs = (d['jobs'] ?? {}) as Record<string, { steps?: Step[] }>;
      const actionSteps = ((d['runs'] as { steps?: Step[] } | undefined)?.steps ?? []);
      for (const step of [...Object.values(jobs).flatMap((j) => j.steps ?? []), ...actionSteps]) {
        for (const line of (step.run ?? '').split('\n')) {
          const argv = agentbenchArgv(line);
          if (argv === undefined || line.includes('"$AB_SCENARIO"')) continue; // the action's own line is checked through its users' inputs
          expect(await cliArgProblems(argv), line).toEqual([]);
          checked++;
        }
        if (step.uses === './' || /^[\w-]+\/agentbench@/.test(step.uses ?? '')) {
          const inputs = (docsOf(join(ROOT, 'action.yml'))[0]!['inputs'] ?? {}) as Record<string, { required?: boolean }>;
          for (const k of Object.keys(step.with ?? {})) expect(Object.keys(inputs), `with.${k}`).toContain(k);
          for (const [k, v] of Object.entries(inputs)) if (v.required) expect(step.with?.[k], `with.${k} (required)`).toBeDefined();
          // What the action runs: `agentbench run <scenario> --out <dir> [--baseline <file>] <args>`.
          const w = step.with ?? {};
          const base = file.includes('custom-policy') ? join(ROOT, 'examples/custom-policy') : ROOT;
          for (const f of [w['scenario'], w['baseline']]) if (f) expect(existsSync(join(base, f)), f).toBe(true);
          const argv = ['run', w['scenario']!, '--out', 'x', ...(w['baseline'] ? ['--baseline', w['baseline']] : []), ...(w['args'] ?? '').split(/\s+/).filter(Boolean)];
          expect(await cliArgProblems(argv), argv.join(' ')).toEqual([]);
          checked++;
        }
      }
    }
    if (!file.endsWith('action.yml')) expect(checked, 'agentbench invocations found').toBeGreaterThan(0);
  });
});

describe('cliArgProblems (the check above can fail)', () => {
  it('refuses unknown commands and options, bad option values and missing operands', async () => {
    expect(await cliArgProblems(['router', '--backends-file=/x.yaml', '--port=8001'])).toEqual([]);
    expect(await cliArgProblems(['routr'])).toEqual(["unknown agentbench command 'routr'"]);
    expect((await cliArgProblems(['router', '--backend-file=/x']))[0]).toMatch(/unknown option/);
    expect((await cliArgProblems(['router', '--port=abc'])).join()).toMatch(/port/);
    expect((await cliArgProblems(['run']))[0]).toMatch(/'run' expects 1 argument/);
    expect((await cliArgProblems(['run', 'a.yaml', 'b.yaml']))[0]).toMatch(/takes 1 argument/);
    expect(await cliArgProblems(['baseline', 'update', 'a.yaml', 'b.json'])).toEqual([]);
    expect((await cliArgProblems(['run', 'a.yaml', '--jobs', '0'])).join()).toMatch(/whole number/);
  });
});

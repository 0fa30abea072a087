/**
 * The folders keep to their roles: what a folder may import is read from the import statements of
 * every .ts file, so a production role (machines, activities, workflows, worker, engine, client, agent)
 * never pulls in the simulator, the npm start composition (app/), the chart page (web/) or the CLI,
 * and the machines stay pure. No file grows over 500 lines (STYLE: one concept per file).
 *
 * A failure names the file, the import and the rule it breaks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const MAX_LINES = 500;

/** Every .ts file of the repository (node_modules, the build's output and dot folders left out), relative to its root. */
function tsFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || (dir === ROOT && entry.name === 'dist')) return [];
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(file);
    return entry.name.endsWith('.ts') ? [path.relative(ROOT, file).split(path.sep).join('/')] : [];
  });
}

interface ImportFound {
  /** As written: `../simulator/spoc/inventory`, `@temporalio/client`. */
  specifier: string;
  /** Repository-relative path of a relative import (`simulator/spoc/inventory`); undefined for a package. */
  target: string | undefined;
  /** `import type ...`, or braces holding types only: erased, so no runtime dependency. */
  typeOnly: boolean;
}

const STATIC_IMPORT = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm;
const BARE_IMPORT = /^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolve(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
}

function importsOf(file: string): ImportFound[] {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  const found: ImportFound[] = [];
  for (const m of source.matchAll(STATIC_IMPORT)) {
    const clause = m[3] ?? '';
    const braces = /^\{([^}]*)\}$/.exec(clause.trim());
    const names = braces ? braces[1]!.split(',').map((n) => n.trim()).filter((n) => n !== '') : [];
    const typeOnly = m[2] !== undefined || (names.length > 0 && names.every((n) => n.startsWith('type ')));
    found.push({ specifier: m[4]!, target: resolve(file, m[4]!), typeOnly });
  }
  for (const m of [...source.matchAll(BARE_IMPORT), ...source.matchAll(DYNAMIC_IMPORT)]) {
    found.push({ specifier: m[1]!, target: resolve(file, m[1]!), typeOnly: false });
  }
  return found;
}

const topFolder = (repoPath: string): string => repoPath.split('/')[0]!;

interface Rule {
  /** Says what is kept apart, for the failure message. */
  rule: string;
  /** The folders whose files the rule holds for. */
  from: string[];
  /** True when the import breaks the rule. */
  breaks: (found: ImportFound) => boolean;
}

const PRESENTATION_AND_SIMULATION = ['simulator', 'app', 'web', 'cli'];

const RULES: Rule[] = [
  {
    rule: 'machines/ imports nothing outside machines/ (pure: no I/O, no Temporal)',
    from: ['machines'],
    breaks: (i) => (i.target !== undefined ? topFolder(i.target) !== 'machines' : i.specifier.startsWith('@temporalio/')),
  },
  {
    rule: 'activities/ does not import workflows/ code (types only)',
    from: ['activities'],
    breaks: (i) => i.target !== undefined && topFolder(i.target) === 'workflows' && !i.typeOnly,
  },
  {
    rule: 'production roles do not import simulator/, app/, web/ or cli/',
    from: ['worker', 'engine', 'activities', 'workflows', 'machines'],
    breaks: (i) => i.target !== undefined && PRESENTATION_AND_SIMULATION.includes(topFolder(i.target)),
  },
  {
    rule: "agent/ (a real host's agent) does not import simulator/, app/, web/, cli/ or worker/",
    from: ['agent'],
    breaks: (i) => i.target !== undefined && [...PRESENTATION_AND_SIMULATION, 'worker'].includes(topFolder(i.target)),
  },
  {
    rule: 'engine/ does not import worker/',
    from: ['engine'],
    breaks: (i) => i.target !== undefined && topFolder(i.target) === 'worker',
  },
  {
    rule: 'client/ does not import simulator/ or web/',
    from: ['client'],
    breaks: (i) => i.target !== undefined && ['simulator', 'web'].includes(topFolder(i.target)),
  },
];

describe('the layout', () => {
  const files = tsFiles();

  test('the files of every role are found (the walk itself works)', () => {
    for (const folder of ['machines', 'activities', 'workflows', 'worker', 'engine', 'client', 'simulator', 'app', 'agent']) {
      expect(files.filter((f) => topFolder(f) === folder).length).toBeGreaterThan(0);
    }
    expect(importsOf('simulator/main.ts').map((i) => i.target)).toContain('simulator/run-simulated-estate');
  });

  test.each(RULES.map((r) => [r.rule, r] as const))('%s', (_name, rule) => {
    const broken = files
      .filter((file) => rule.from.includes(topFolder(file)))
      .flatMap((file) => importsOf(file).filter(rule.breaks).map((i) => `${file} imports '${i.specifier}': ${rule.rule}`));
    expect(broken).toEqual([]);
  });

  test(`no file is over ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file, lines: readFileSync(path.join(ROOT, file), 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file} has ${f.lines} lines: no file over ${MAX_LINES} lines (split it by concept)`);
    expect(long).toEqual([]);
  });
});

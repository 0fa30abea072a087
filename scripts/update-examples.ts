/**
 * Writes the input of each example in examples/ from the catalog's example input
 * (simulator/catalog-entries.ts), so the examples cannot drift from what `spoolflow catalog`
 * prints. Only the `export const input … = { … };` literal is rewritten: the prose above it and
 * the call below it stay as written. A procedure without an example gets a new file from the
 * template below, to be read and completed by whoever added the procedure.
 *
 *   npm run examples            # rewrite what is out of date, create what is missing
 *   npm run examples -- --check # list what is out of date, change nothing (exit 1 if any)
 *
 * The examples are literal on purpose: they are what another project copies, and they are
 * type-checked against the installed package alone (test/client/package-install.test.ts), which
 * has no simulator to import inputs from. test/client/examples.test.ts fails when one is out of date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROCEDURES } from '../machines/catalog';
import { catalogEntries } from '../simulator/catalog-entries';

export const EXAMPLES_DIR = path.join(__dirname, '..', 'examples');

/** `value` as a TypeScript literal: plain keys unquoted, strings in single quotes, two-space indents. */
export function typescriptLiteral(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${typescriptLiteral(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : stringLiteral(k));
    return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${typescriptLiteral(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  if (typeof value === 'string') return stringLiteral(value);
  return JSON.stringify(value);
}

function stringLiteral(s: string): string {
  if (s.includes("'")) return JSON.stringify(s);
  return `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"')}'`;
}

/** The statement an example declares its input with, up to its closing `};`. */
function inputDeclaration(id: string): RegExp {
  return new RegExp(`^export const input: ProcedureInput<'${id}'> = [\\s\\S]*?^};$`, 'm');
}

function renderInput(id: string, input: unknown): string {
  return `export const input: ProcedureInput<'${id}'> = ${typescriptLiteral(input)};`;
}

function wrapComment(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && ` * ${line} ${word}`.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ` * ${l}`);
}

/** A new example, for a procedure that has none yet. */
function newExample(id: string, description: string, input: unknown): string {
  return [
    '/**',
    ` * ${id}:`,
    ...wrapComment(description),
    ' *',
    ' * The example starts it, follows it until it is done or halted, retries a halt once and aborts it',
    ' * if it halts again (examples/run-procedure.ts).',
    ' *',
    " * The input is the catalog's example (`spoolflow catalog`), for the simulated estate of `npm",
    ` * start\`; on your estate name your own hosts. Run: \`npx tsx examples/${id}.ts\`.`,
    ' */',
    "import type { ProcedureInput } from 'spoolflow/client';",
    "import { main } from './run-procedure';",
    '',
    renderInput(id, input),
    '',
    `if (require.main === module) main('${id}', input);`,
    '',
  ].join('\n');
}

export interface ExampleUpdate {
  id: string;
  file: string;
  /** The file as it should be. */
  text: string;
  change: 'created' | 'rewritten' | 'unchanged';
}

/** What each procedure's example should be, from the catalog's example inputs. */
export function exampleUpdates(dir = EXAMPLES_DIR): ExampleUpdate[] {
  const inputs = new Map(catalogEntries().map((e) => [e.id, e.exampleInput]));
  return PROCEDURES.map((procedure) => {
    const file = path.join(dir, `${procedure.id}.ts`);
    const input = inputs.get(procedure.id);
    if (!existsSync(file)) return { id: procedure.id, file, text: newExample(procedure.id, procedure.description, input), change: 'created' };
    const current = readFileSync(file, 'utf8');
    const declaration = inputDeclaration(procedure.id);
    if (!declaration.test(current)) throw new Error(`${file} has no "export const input: ProcedureInput<'${procedure.id}'> = { … };" ending in a line "};": write it so, then run again`);
    const text = current.replace(declaration, () => renderInput(procedure.id, input));
    return { id: procedure.id, file, text, change: text === current ? 'unchanged' : 'rewritten' };
  });
}

function main(): void {
  const check = process.argv.includes('--check');
  const outdated = exampleUpdates().filter((u) => u.change !== 'unchanged');
  for (const update of outdated) {
    if (!check) writeFileSync(update.file, update.text);
    console.log(`${check ? 'out of date' : update.change}: ${path.relative(process.cwd(), update.file)}`);
  }
  if (check && outdated.length > 0) process.exitCode = 1;
}

if (require.main === module) main();

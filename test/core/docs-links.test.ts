/**
 * The runbooks are cited where they live, in docs/: no source file or page points at the domain
 * notes or the vendor's documents, which are not in the repository, and every
 * `docs/<page>.md#<section>` cited anywhere names a heading that exists on that page.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DOCS = path.join(ROOT, 'docs');
/** Folders that are not the project's own text: dependencies, git, run data. */
const SKIPPED = new Set(['node_modules', '.git', '.spoolflow', 'tmp']);

// Built from parts, so this file does not cite what it looks for.
const MD = '.md';
const TXT = '.txt';
const OUTSIDE_NOTES = new RegExp(`\\bDOMAIN\\${MD}`);
const SOURCE_DOCUMENTS = ['spoc-group-maintenance', 'jobscheduler-cluster', 'flexispooler-failover', 'spool-cleaning', 'sap-spool-work-processes'];
const OUTSIDE_SOURCE = new RegExp(`seeds/[\\w.-]+\\${TXT}|\\b(?:${SOURCE_DOCUMENTS.join('|')})\\${TXT}`);
/** `docs/<page>.md#<anchor>` anywhere, or `(<page>.md)`, `(<page>.md#<anchor>)`, `(#<anchor>)` links inside a docs page. */
const DOCS_CITATION = /docs\/([\w-]+\.md)#([\w-]+)/g;
const PAGE_LINK = /\]\(([\w-]+\.md)?(?:#([\w-]+))?\)/g;

function projectFiles(dir: string = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return projectFiles(full);
    return /\.(ts|md)$/.test(entry.name) ? [full] : [];
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen; repeats get -1, -2. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

const files = projectFiles();
const relative = (file: string) => path.relative(ROOT, file);
const anchorsOf = new Map<string, Set<string> | null>();
function anchorsOfPage(page: string): Set<string> | null {
  if (!anchorsOf.has(page)) {
    const file = path.join(DOCS, page);
    anchorsOf.set(page, existsSync(file) ? headingAnchors(readFileSync(file, 'utf8')) : null);
  }
  return anchorsOf.get(page) ?? null;
}

describe('the runbooks are cited in docs/', () => {
  test('the walk finds the project files, this one and the docs pages among them', () => {
    expect(files.map(relative)).toEqual(expect.arrayContaining([path.join('test', 'core', 'docs-links.test.ts'), path.join('docs', 'README.md')]));
  });

  test("no .ts or .md file cites the domain notes or the vendor's documents, which are not in the repository", () => {
    const citing = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE_NOTES.test(line) || OUTSIDE_SOURCE.test(line) ? [`${relative(file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(citing).toEqual([]);
  });

  test('every docs/<page>.md#<section> cited anywhere, and every page and section link inside docs/, names an existing page and heading', () => {
    const broken: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const inDocs = path.dirname(file) === DOCS;
      const citations = [...text.matchAll(DOCS_CITATION)].map((m) => ({ page: m[1] ?? '', anchor: m[2] ?? '' }));
      const links = inDocs
        ? [...text.matchAll(PAGE_LINK)].filter((m) => m[1] !== undefined || m[2] !== undefined).map((m) => ({ page: m[1] ?? path.basename(file), anchor: m[2] ?? '' }))
        : [];
      for (const { page, anchor } of [...citations, ...links]) {
        const anchors = anchorsOfPage(page);
        if (anchors === null) broken.push(`${relative(file)}: docs/${page} does not exist`);
        else if (anchor !== '' && !anchors.has(anchor)) broken.push(`${relative(file)}: docs/${page} has no heading #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('anchors are made as GitHub makes them', () => {
    const anchors = headingAnchors('# A title\n## Step 3: other services\n```\n# not a heading\n```\n### Restart (steps 1-8)\n## Step 3: other services\n');
    expect([...anchors]).toEqual(['a-title', 'step-3-other-services', 'restart-steps-1-8', 'step-3-other-services-1']);
  });
});

#!/usr/bin/env node
// The spoolflow CLI. It runs the compiled CLI (dist/, written by `npm run build`, which `npm install`
// runs) when that build is not older than its sources; otherwise cli/main.ts through tsx, so a
// checkout being edited always runs its current code (slower: tsx compiles on every run).
const path = require('node:path');
const { freshBuildMain } = require('./build-freshness');

const built = freshBuildMain(path.join(__dirname, '..'));
if (built) {
  require(built);
} else {
  // tsx whole (`node --import tsx`), not only its require hook (tsx/cjs): the commands load their
  // modules with `await import()` when they run, which goes through Node's ESM loader.
  import('tsx').then(() => require('./main.ts'));
}

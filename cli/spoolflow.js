#!/usr/bin/env node
// The spoolflow CLI: runs cli/main.ts through tsx, so the checkout needs no build step.
require('tsx/cjs');
require('./main.ts');

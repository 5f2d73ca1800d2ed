#!/usr/bin/env node
// The `cfstream` command (package.json "bin"). The program is src/cli/main.ts, bundled into
// dist/cjs/cli/main.js by `npm run build` (which `npm install` runs as `prepare`). This launcher
// is committed with its executable bit, so rebuilding dist/ never leaves the command without one.
// CommonJS, so that Node starts the command without its ESM loader (docs/performance.md,
// start-up); Node 22.1+ also keeps compiled code between runs (module.enableCompileCache), and
// the bundle itself runs through the package's V8 code cache (src/load/code-cache.ts).
'use strict';
require('node:module').enableCompileCache?.();
require('../dist/cjs/cli/main.js');

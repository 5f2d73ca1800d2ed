#!/usr/bin/env node
// The `cfstream` command (package.json "bin"). The program is src/cli/main.ts, built into
// dist/ by `npm run build` (which `npm install` runs as `prepare`). This launcher is committed
// with its executable bit, so rebuilding dist/ never leaves the command without one.
import '../dist/esm/cli/main.js';

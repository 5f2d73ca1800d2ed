// Injected into the CommonJS bundles by scripts/build.mjs: src/rx.ts loads RxJS through
// createRequire(import.meta.url), and CommonJS has __filename instead of import.meta.
export const import_meta_url = require('node:url').pathToFileURL(__filename).href;

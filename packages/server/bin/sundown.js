#!/usr/bin/env node
// The `sundown` command. `#cli` (package.json "imports") is the built dist/cli.js; inside the
// repository, whose scripts run Node with --conditions=source, it is src/cli.ts itself.
import '#cli';

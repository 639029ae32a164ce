#!/usr/bin/env node
// The `pingsphere` command for `node collector/bin/pingsphere.mjs` (its former entry, still run
// by scripts and tests): the CommonJS bin/pingsphere.cjs does the work.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./pingsphere.cjs');

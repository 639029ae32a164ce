#!/usr/bin/env node
// The `pingsphere` command. The collector runs from its TypeScript sources through tsx, so what
// runs is always what is checked in (no stale build output).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

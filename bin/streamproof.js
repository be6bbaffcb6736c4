#!/usr/bin/env node
// Entry point for `npx streamproof`. The sources are TypeScript run through tsx's loader,
// so there is no build step between `npm ci` and a working CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));

import { readFileSync } from 'node:fs';
import { packageFile } from './package-files.ts';

/** The package version, read once from package.json. */
export const TOOL_VERSION: string = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;

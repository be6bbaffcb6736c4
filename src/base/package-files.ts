// The package's own files (package.json, scenarios/, fixtures/), found from this module's URL. The
// sources (src/base/) and the compiled build (dist/base/) both sit two levels under the package
// root, so the same path holds whether streamproof runs from a checkout, through tsx, or compiled
// from an installed package (node_modules/streamproof/).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

/** A path inside the package, e.g. packageFile('fixtures') or packageFile('scenarios', 'faults'). */
export function packageFile(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}

// YAML files under the given paths (directories searched recursively for *.yaml).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { InputError } from './errors.ts';

export function findYamlFiles(paths: readonly string[], ignore: readonly string[] = []): string[] {
  return paths.flatMap((p) => {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new InputError(p, null, 'no such file or directory');
    }
    return isDir ? globSync(['**/*.yaml', '**/*.yml'], { cwd: p, absolute: true, ignore: [...ignore] }).sort() : [resolve(p)];
  });
}

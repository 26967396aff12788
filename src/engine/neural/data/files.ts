import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataFileError } from './dataset';

/**
 * Reads `dir/name` or `dir/name.gz` (gunzipped), or throws a DataFileError naming the file and
 * what was expected there.
 */
export function readDataFile(dir: string, name: string, expected: string): Buffer {
  const path = join(dir, name);
  if (existsSync(path)) return readFileSync(path);
  if (existsSync(`${path}.gz`)) {
    try {
      return gunzipSync(readFileSync(`${path}.gz`));
    } catch (e) {
      throw new DataFileError(`${path}.gz`, `cannot gunzip (${(e as Error).message}); expected ${expected}`);
    }
  }
  if (!existsSync(dir)) throw new DataFileError(dir, `data directory does not exist; expected it to contain ${name} (${expected})`);
  throw new DataFileError(path, `missing (also tried ${name}.gz); expected ${expected}`);
}

/** `dir` itself if it holds `probe` (or probe.gz), else `dir/sub` if that does, else `dir`. */
export function resolveDataDir(dir: string, sub: string, probe: string): string {
  const has = (d: string) => existsSync(join(d, probe)) || existsSync(join(d, `${probe}.gz`));
  if (has(dir)) return dir;
  if (has(join(dir, sub))) return join(dir, sub);
  return dir;
}

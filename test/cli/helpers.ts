// Runs the compiled `neb-atlas` CLI (or another script) as a child process. Asynchronous on
// purpose: the server under test lives in this process and must keep answering meanwhile.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** dist/src/cli.js, from dist/test/cli/. */
export const CLI = join(__dirname, '..', '..', 'src', 'cli.js');
/** The repository root, from dist/test/cli/. */
export const ROOT = join(__dirname, '..', '..', '..');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<Result> {
  return new Promise((resolve) => {
    const childEnv = { ...process.env, NEB_ATLAS_URL: undefined, NEB_ATLAS_TOKEN: undefined, ...env };
    execFile(command, args, { env: childEnv as NodeJS.ProcessEnv, cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function cli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs?: number): Promise<Result> {
  return run(process.execPath, [CLI, ...args], env, timeoutMs);
}

/** Parses --json output, with the command's stderr in the message when it is not JSON. */
export function json<T = Record<string, unknown>>(result: Result): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

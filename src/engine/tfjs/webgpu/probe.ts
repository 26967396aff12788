// Asks Dawn for a hardware adapter in a child process before `auto` loads Dawn into the server.
// On a machine without a GPU, Dawn and Mesa's loaders print warnings ("XDG_RUNTIME_DIR is
// invalid", "Vulkan ... required") straight to the process's stderr, below Node, where a user
// reads them as start-up errors. The child's output is kept and only its verdict is read.
import { spawnSync } from 'node:child_process';
import { dawnBindingPath, findAdapter, type DawnBinding } from './adapter';

interface Verdict {
  found: boolean;
  reason?: string;
}

const PROBE_FLAG = '--neb-atlas-webgpu-probe';
const PROBE_TIMEOUT_MS = 30_000;

/** null when Dawn finds a hardware adapter here; otherwise why not (Dawn missing, none found...). */
export function probeHardwareAdapter(): string | null {
  const child = spawnSync(process.execPath, [__filename, PROBE_FLAG], { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  const line = (child.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const verdict = JSON.parse(line) as Verdict;
    return verdict.found ? null : (verdict.reason ?? 'Dawn found no hardware adapter');
  } catch {
    const why = child.error?.message ?? (child.signal ? `killed by ${child.signal}` : `exit code ${child.status}`);
    return `the adapter probe failed (${why})`;
  }
}

async function probe(): Promise<Verdict> {
  let binding: DawnBinding;
  try {
    binding = require(dawnBindingPath((m) => require.resolve(m))) as DawnBinding; // eslint-disable-line @typescript-eslint/no-require-imports
  } catch (err) {
    return { found: false, reason: `webgpu (Dawn) did not load: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}` };
  }
  Object.assign(globalThis, binding.globals);
  const found = await findAdapter(binding, false);
  return typeof found === 'string' ? { found: false, reason: found } : { found: true };
}

if (require.main === module && process.argv[2] === PROBE_FLAG) {
  void probe().then(
    (verdict) => process.stdout.write(`\n${JSON.stringify(verdict)}\n`, () => process.exit(0)),
    (err: unknown) => process.stdout.write(`\n${JSON.stringify({ found: false, reason: String(err) })}\n`, () => process.exit(0)),
  );
}

// What is stored survives a restart on the same storage (the embedded data directory, or the
// same PostgreSQL database), parameter blobs included, bit for bit.
import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Minimum } from '../../src/store/entities';
import { openDatabase } from '../../src/db/database';
import { DataDirInUseError } from '../../src/db/embedded';
import { createTestStorage, startTestServer } from '../helpers/server';

test('landscapes, minima and parameter bytes survive a restart', async () => {
  const storage = await createTestStorage();
  try {
    // Values that a lossy round trip (text, float64) would change.
    const parameters = new Float32Array([1.1, -0, Number.MIN_VALUE, 3.4028234663852886e38, Math.PI, -1e-30]);
    let landscapeId: string;
    let minimumId: string;

    const first = await startTestServer({ storage });
    try {
      const res = await first.gql(
        'mutation { createLandscape(input: { name: "kept", architecture: { kind: "cnn", channels: [8, 16] }, dataset: { name: "cifar10", dir: "/data/cifar" } }) { id } }',
      );
      assert.equal(res.errors, undefined);
      landscapeId = res.data!.createLandscape.id;
      const em = first.em();
      const minimum = em.create(Minimum, {
        landscape: landscapeId,
        seed: 42,
        parameters: Buffer.from(parameters.buffer),
        parameterCount: parameters.length,
      });
      await em.flush();
      minimumId = minimum.id;
    } finally {
      await first.close();
    }

    const second = await startTestServer({ storage });
    try {
      const res = await second.gql(
        'query($id: ID!) { landscape(id: $id) { name architecture { kind channels } dataset { name dir } minima { totalCount edges { node { id seed parameterCount } } } } }',
        { id: landscapeId },
      );
      assert.equal(res.errors, undefined);
      assert.deepEqual(res.data!.landscape, {
        name: 'kept',
        architecture: { kind: 'cnn', channels: [8, 16] },
        dataset: { name: 'cifar10', dir: '/data/cifar' },
        minima: { totalCount: 1, edges: [{ node: { id: minimumId, seed: 42, parameterCount: 6 } }] },
      });
      const em = second.em();
      const minimum = await em.findOneOrFail(Minimum, minimumId, { populate: ['parameters'] });
      const bytes = minimum.parameters!;
      const restored = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      assert.deepEqual(Buffer.from(restored.buffer, restored.byteOffset, restored.byteLength), Buffer.from(parameters.buffer));
      assert.ok(Object.is(restored[1], -0));
    } finally {
      await second.close();
    }
  } finally {
    await storage.dispose();
  }
});

test('a second process cannot open an embedded data directory in use', async (t) => {
  const storage = await createTestStorage();
  if (storage.kind !== 'embedded') {
    await storage.dispose();
    t.skip('only the embedded database keeps a data directory (DATABASE_URL is set)');
    return;
  }
  const server = await startTestServer({ storage });
  try {
    // Simulate another process by naming a live pid other than ours (the parent: the test runner).
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    writeFileSync(join(storage.config.dataDir, 'neb-atlas.lock'), String(process.ppid));
    await assert.rejects(openDatabase({ dataDir: storage.config.dataDir, dbPoolSize: 1 }), DataDirInUseError);
    writeFileSync(join(storage.config.dataDir, 'neb-atlas.lock'), String(process.pid));
  } finally {
    await server.close();
    await storage.dispose();
  }
});

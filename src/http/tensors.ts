// Tensor routes: parameters as safetensors (PyTorch names and shapes), so they load in Python with
// `safetensors.torch.load_file`, and uploads of minima trained elsewhere.
//   GET  /tensors/minima/:id                one minimum
//   GET  /tensors/paths/:id/pivots          all pivots of a path (pivot.<i>.<name>), path metadata in the header
//   GET  /tensors/paths/:id/pivots/:index   one pivot
//   GET  /tensors/paths/:id/saddle          parameters at the saddle (interpolated along the path)
//   POST /tensors/uploads                   a safetensors body; answers {uploadId}, for the importMinimum mutation
import express, { type NextFunction, type Request, type Response } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { decodeSafetensors, encodeSafetensors, pointAt, splitTensors, type NamedTensor, type Vector } from '../engine';
import { bytesToVector } from '../store/tensors';
import { Landscape, Minimum, Path, Pivot } from '../store/entities';
import { InputError, NotFoundError } from '../store/errors';
import { ERROR_CODES, fieldErrorCode } from '../api/errors';
import { landscapeLayout } from '../runs/bridge/layouts';
import { findMinimum, findPath } from '../store/records';
import { TENSORS_PATH, type UploadStore } from '../runs/uploads';

export { TENSORS_PATH };

function send(res: Response, filename: string, tensors: NamedTensor[], metadata: Record<string, string>): void {
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.send(encodeSafetensors(tensors, metadata));
}

async function pathPivots(orm: MikroORM, path: Path): Promise<{ pivots: Pivot[]; vectors: Vector[] }> {
  const pivots = await orm.em.fork().find(Pivot, { path: path.id }, { orderBy: { index: 'asc' }, populate: ['parameters'] });
  if (pivots.length === 0) throw new InputError('id', `path ${path.id} has no pivots yet (its first cycle is not done)`);
  return { pivots, vectors: pivots.map((p) => bytesToVector(p.parameters!)) };
}

function pathMetadata(path: Path, pivots: Pivot[]): Record<string, string> {
  return {
    format: 'pt',
    pathId: path.id,
    landscapeId: path.landscape.id,
    minimumA: path.minimumA.id,
    minimumB: path.minimumB.id,
    status: path.status,
    cyclesDone: String(path.cyclesDone),
    pivotT: JSON.stringify(pivots.map((p) => p.t)),
    pivotEnergies: JSON.stringify(pivots.map((p) => p.energy)),
    saddleT: String(path.saddleT ?? ''),
    saddleTrainLoss: String(path.saddleTrainLoss ?? ''),
  };
}

export function tensorRoutes(orm: MikroORM, uploads: UploadStore, maxUploadBytes: number): express.Router {
  const router = express.Router();
  const em = () => orm.em.fork();

  router.get('/minima/:id', async (req, res) => {
    const minimum = await findMinimum(em(), req.params.id);
    const withParams = await orm.em.fork().findOneOrFail(Minimum, minimum.id, { populate: ['parameters', 'landscape'] });
    if (!withParams.parameters) throw new InputError('id', `minimum ${minimum.id} is ${minimum.status}: it has no parameters yet`);
    const layout = landscapeLayout(withParams.landscape);
    const tensors = splitTensors(bytesToVector(withParams.parameters), layout);
    send(res, `minimum-${minimum.id}.safetensors`, tensors, {
      format: 'pt',
      minimumId: minimum.id,
      landscapeId: withParams.landscape.id,
      seed: String(minimum.seed),
      trainLoss: String(minimum.trainLoss ?? ''),
      testLoss: String(minimum.testLoss ?? ''),
    });
  });

  router.get('/paths/:id/pivots', async (req, res) => {
    const path = await findPath(em(), req.params.id);
    const { pivots, vectors } = await pathPivots(orm, path);
    const layout = landscapeLayout(await em().findOneOrFail(Landscape, path.landscape.id));
    const tensors = vectors.flatMap((v, i) => splitTensors(v, layout).map((t) => ({ ...t, name: `pivot.${i}.${t.name}` })));
    send(res, `path-${path.id}-pivots.safetensors`, tensors, pathMetadata(path, pivots));
  });

  router.get('/paths/:id/pivots/:index', async (req, res) => {
    const path = await findPath(em(), req.params.id);
    const { pivots, vectors } = await pathPivots(orm, path);
    const index = Number(req.params.index);
    if (!Number.isInteger(index) || index < 0 || index >= vectors.length) throw new InputError('index', `must be an integer from 0 to ${vectors.length - 1}, got ${req.params.index}`);
    const layout = landscapeLayout(await em().findOneOrFail(Landscape, path.landscape.id));
    send(res, `path-${path.id}-pivot-${index}.safetensors`, splitTensors(vectors[index], layout), { ...pathMetadata(path, pivots), pivotIndex: String(index), t: String(pivots[index].t) });
  });

  router.get('/paths/:id/saddle', async (req, res) => {
    const path = await findPath(em(), req.params.id);
    const { pivots, vectors } = await pathPivots(orm, path);
    if (path.saddleT === null) throw new InputError('id', `path ${path.id} has no saddle yet`);
    const layout = landscapeLayout(await em().findOneOrFail(Landscape, path.landscape.id));
    send(res, `path-${path.id}-saddle.safetensors`, splitTensors(pointAt(vectors, path.saddleT), layout), { ...pathMetadata(path, pivots), t: String(path.saddleT) });
  });

  router.post('/uploads', express.raw({ type: () => true, limit: maxUploadBytes }), (req, res) => {
    const body = req.body as Buffer;
    if (!Buffer.isBuffer(body) || body.length === 0) throw new InputError('body', 'expected a safetensors file as the request body');
    const { tensors, metadata } = decodeSafetensors(body);
    res.status(201).json({ uploadId: uploads.add(tensors, metadata), tensors: tensors.map((t) => ({ name: t.name, shape: t.shape })) });
  });

  // Errors as JSON with the same codes as the GraphQL API.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const coded = fieldErrorCode(err);
    if (coded) return void res.status(coded.code === ERROR_CODES.NOT_FOUND ? 404 : 400).json({ error: { ...coded, message: (err as Error).message } });
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.too.large') return void res.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: `upload larger than ${maxUploadBytes} bytes` } });
    if (e?.status && e.status >= 400 && e.status < 500) return void res.status(e.status).json({ error: { code: 'BAD_REQUEST', message: e.message } });
    console.error('tensor route error:', err);
    res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
  });
  return router;
}

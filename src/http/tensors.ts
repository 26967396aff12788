// Tensor routes: parameters as safetensors (PyTorch names and shapes), so they load in Python with
// `safetensors.torch.load_file`, and uploads of minima trained elsewhere.
//   GET  /tensors/minima/:id                one minimum
//   GET  /tensors/paths/:id/pivots          all pivots of a path (pivot.<i>.<name>), path metadata in the header
//   GET  /tensors/paths/:id/pivots/:index   one pivot
//   GET  /tensors/paths/:id/saddle          parameters at the saddle (interpolated along the path)
//   POST /tensors/uploads                   a safetensors body; answers {uploadId}, for the importMinimum mutation
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import { decodeSafetensors, encodeSafetensors, pointAt, splitTensors, type NamedTensor, type Vector } from '../engine';
import { bytesToVector } from '../store/tensors';
import { Landscape, Minimum, Path, Pivot } from '../store/entities';
import { InputError } from '../store/errors';
import { ERROR_CODES, fieldErrorCode } from '../api/errors';
import { datasetFacts } from '../runs/bridge/specs';
import { landscapeLayout } from '../runs/bridge/layouts';
import { findMinimum, findPath } from '../store/records';
import { TENSORS_PATH, type UploadStore } from '../runs/uploads';

export { TENSORS_PATH };

/**
 * Conditional downloads: the ETag names the stored version (a minimum's status and metrics; a
 * path's status, cycles done and saddle, which change together with its pivots), so it is known
 * before the parameters are read. A client holding that version gets 304 without the body.
 * `private`: the answer depends on the caller's token; `no-cache`: revalidate every time, as an
 * EVALUATE run may still change the metadata.
 */
function notModified(req: Request, res: Response, version: unknown[]): boolean {
  const etag = `"${createHash('sha256').update(JSON.stringify(version)).digest('base64url').slice(0, 27)}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  const held = req.headers['if-none-match'];
  if (held === undefined || !held.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return false;
  res.status(304).end();
  return true;
}

const pathVersion = (path: Path, route: string) => [route, path.id, path.status, path.cyclesDone, path.saddleT, path.saddleTrainLoss, path.saddleTestLoss];

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

/**
 * The data set and its input normalisation: parameters loaded without them mis-predict (a
 * Fashion-MNIST minimum fed raw [0, 1] pixels is not the model that was trained).
 */
function datasetMetadata(landscape: Landscape): Record<string, string> {
  if (!landscape.dataset) return {};
  const facts = datasetFacts(landscape.dataset);
  return {
    dataset: landscape.dataset.name,
    classes: String(facts.classes),
    normalization: facts.normalization ? JSON.stringify({ mean: facts.normalization.mean, std: facts.normalization.std }) : 'none',
    normalizationNote: 'x = (pixel - mean) / std per channel, pixels in [0, 1]; images NCHW as in PyTorch',
  };
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
    if (notModified(req, res, ['minimum', minimum.id, minimum.status, minimum.trainLoss, minimum.testLoss, minimum.seed])) return;
    const withParams = await orm.em.fork().findOneOrFail(Minimum, minimum.id, { populate: ['parameters', 'landscape'] });
    if (!withParams.parameters) throw new InputError('id', `minimum ${minimum.id} is ${minimum.status}: it has no parameters yet`);
    const layout = landscapeLayout(withParams.landscape);
    const tensors = splitTensors(bytesToVector(withParams.parameters), layout);
    send(res, `minimum-${minimum.id}.safetensors`, tensors, {
      format: 'pt',
      minimumId: minimum.id,
      landscapeId: withParams.landscape.id,
      ...(minimum.seed === null ? {} : { seed: String(minimum.seed) }),
      trainLoss: String(minimum.trainLoss ?? ''),
      testLoss: String(minimum.testLoss ?? ''),
      ...datasetMetadata(withParams.landscape),
    });
  });

  router.get('/paths/:id/pivots', async (req, res) => {
    const path = await findPath(em(), req.params.id);
    if (notModified(req, res, pathVersion(path, req.path))) return;
    const { pivots, vectors } = await pathPivots(orm, path);
    const landscape = await em().findOneOrFail(Landscape, path.landscape.id);
    const layout = landscapeLayout(landscape);
    const tensors = vectors.flatMap((v, i) => splitTensors(v, layout).map((t) => ({ ...t, name: `pivot.${i}.${t.name}` })));
    send(res, `path-${path.id}-pivots.safetensors`, tensors, { ...pathMetadata(path, pivots), ...datasetMetadata(landscape) });
  });

  router.get('/paths/:id/pivots/:index', async (req, res) => {
    const path = await findPath(em(), req.params.id);
    if (notModified(req, res, pathVersion(path, req.path))) return;
    const { pivots, vectors } = await pathPivots(orm, path);
    const index = Number(req.params.index);
    if (!Number.isInteger(index) || index < 0 || index >= vectors.length) throw new InputError('index', `must be an integer from 0 to ${vectors.length - 1}, got ${req.params.index}`);
    const landscape = await em().findOneOrFail(Landscape, path.landscape.id);
    const layout = landscapeLayout(landscape);
    send(res, `path-${path.id}-pivot-${index}.safetensors`, splitTensors(vectors[index], layout), { ...pathMetadata(path, pivots), ...datasetMetadata(landscape), pivotIndex: String(index), t: String(pivots[index].t) });
  });

  router.get('/paths/:id/saddle', async (req, res) => {
    const path = await findPath(em(), req.params.id);
    if (notModified(req, res, pathVersion(path, req.path))) return;
    const { pivots, vectors } = await pathPivots(orm, path);
    if (path.saddleT === null) throw new InputError('id', `path ${path.id} has no saddle yet`);
    const landscape = await em().findOneOrFail(Landscape, path.landscape.id);
    const layout = landscapeLayout(landscape);
    send(res, `path-${path.id}-saddle.safetensors`, splitTensors(pointAt(vectors, path.saddleT), layout), { ...pathMetadata(path, pivots), ...datasetMetadata(landscape), t: String(path.saddleT) });
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

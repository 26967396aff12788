// The schema builds from the resolvers and has the shape clients rely on.
import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isObjectType, isNonNullType, printSchema, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildAppSchema } from '../../src/api/resolvers';
import type { EventBus } from '../../src/events';

let schema: GraphQLSchema;

function type(name: string): GraphQLObjectType {
  const t = schema.getType(name);
  assert.ok(t && isObjectType(t), `type ${name} exists`);
  return t;
}

function fields(name: string): string[] {
  return Object.keys(type(name).getFields()).sort();
}

test('schema builds without a database', async () => {
  schema = await buildAppSchema(createPubSub() as EventBus['pubSub']);
  assert.match(printSchema(schema), /type Query/);
});

test('queries, mutations and subscriptions named by the issues (a contract for scripts and clients)', () => {
  for (const f of ['landscapes', 'landscape', 'minimum', 'path', 'run', 'runs', 'catalog']) {
    assert.ok(fields('Query').includes(f), `Query.${f}`);
  }
  const mutations = ['cancelRun', 'connectMinima', 'createLandscape', 'deleteLandscape', 'evaluatePath', 'exploreLandscape', 'importMinimum', 'trainMinima', 'computeCurvature'];
  for (const f of mutations) assert.ok(fields('Mutation').includes(f), `Mutation.${f}`);
  assert.deepEqual(fields('Subscription'), ['landscapeEvents', 'pathCycles', 'runProgress']);
  for (const f of ['spanningTree', 'barrierBound', 'suggestions', 'disconnectivity', 'summary', 'surfaceGrid']) {
    assert.ok(fields('Landscape').includes(f), `Landscape.${f}`);
  }
  const args = type('Subscription').getFields().landscapeEvents.args.map((a) => a.name);
  assert.deepEqual(args, ['landscapeId']);
});

test('growing lists are connections with edges, pageInfo and totalCount', () => {
  for (const name of ['LandscapeConnection', 'RunConnection', 'MinimumConnection', 'PathConnection']) {
    assert.deepEqual(fields(name), ['edges', 'pageInfo', 'totalCount'], name);
  }
  assert.deepEqual(fields('PageInfo'), ['endCursor', 'hasNextPage', 'hasPreviousPage', 'startCursor']);
  const landscapes = type('Query').getFields().landscapes;
  assert.deepEqual(landscapes.args.map((a) => a.name), ['first', 'after', 'tags']);
  assert.deepEqual(type('Query').getFields().runs.args.map((a) => a.name).sort(), ['after', 'first', 'kind', 'status', 'tags']);
});

test('a path exposes minima, saddle, pivots and cycles; ids are ID', () => {
  const path = fields('Path');
  for (const f of ['minimumA', 'minimumB', 'saddle', 'pivots', 'cycles', 'linearBarrier', 'length', 'cyclesDone', 'status']) {
    assert.ok(path.includes(f), `Path.${f}`);
  }
  assert.deepEqual(fields('Saddle'), ['curvature', 't', 'testError', 'testLoss', 'trainError', 'trainLoss']);
  const id = type('Landscape').getFields().id.type;
  assert.ok(isNonNullType(id) && String(id.ofType) === 'ID');
  const run = type('Run').getFields();
  assert.equal(String(run.kind.type), 'RunKind!');
  assert.equal(String(run.status.type), 'RunStatus!');
});

test('enums carry the data model values', () => {
  const values = (name: string) => (schema.getType(name) as import('graphql').GraphQLEnumType).getValues().map((v) => v.name);
  assert.deepEqual(values('RunKind'), ['TRAIN', 'CONNECT', 'EXPLORE', 'EVALUATE', 'CURVATURE', 'ALIGN', 'CURVE']);
  assert.deepEqual(values('PathMethod'), ['AUTONEB', 'BEZIER', 'POLYCHAIN']);
  assert.deepEqual(values('CurveKind'), ['BEZIER', 'POLYCHAIN']);
  assert.deepEqual(values('AlignmentMethod'), ['WEIGHT_MATCHING', 'ACTIVATION_MATCHING']);
  assert.deepEqual(values('RunStatus'), ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']);
});

test('curves (issue 19): fitCurve(a, b, kind = BEZIER, config) returns a Run; Path.method is non-null', () => {
  const mutation = type('Mutation').getFields().fitCurve;
  assert.deepEqual(mutation.args.map((a) => [a.name, String(a.type), a.defaultValue]), [['a', 'ID!', undefined], ['b', 'ID!', undefined], ['kind', 'CurveKind', 'BEZIER'], ['config', 'CurveConfigInput', undefined]]);
  assert.equal(String(mutation.type), 'Run!');
  assert.equal(String(type('Path').getFields().method.type), 'PathMethod!');
});

test('curvature (issue 19): computeCurvature(target, k = 5), Minimum.curvature and Saddle.curvature with exactly the listed fields', () => {
  const mutation = type('Mutation').getFields().computeCurvature;
  assert.deepEqual(mutation.args.map((a) => [a.name, String(a.type), a.defaultValue]).sort(), [['k', 'Int', 5], ['target', 'CurvatureTarget!', undefined]]);
  assert.equal(String(mutation.type), 'Run!');
  assert.deepEqual(fields('Curvature'), ['evaluations', 'largest', 'negativeCount', 'smallest', 'tangentCurvature', 'threshold', 'trace']);
  const c = type('Curvature').getFields();
  assert.deepEqual(['largest', 'smallest', 'trace', 'tangentCurvature', 'negativeCount', 'threshold', 'evaluations'].map((f) => String(c[f].type)), ['[Float!]!', '[Float!]!', 'Float', 'Float', 'Int!', 'Float!', 'Int!']);
  assert.equal(String(type('Minimum').getFields().curvature.type), 'Curvature');
  assert.equal(String(type('Saddle').getFields().curvature.type), 'Curvature');
});

test('arguments are declared in reading order, as the resolvers take them', () => {
  const args = (type: string, field: string) => (schema.getType(type) as GraphQLObjectType).getFields()[field].args.map((a) => a.name);
  assert.deepEqual(args('Mutation', 'trainMinima'), ['landscapeId', 'count', 'seeds', 'config']);
  assert.deepEqual(args('Mutation', 'connectMinima'), ['a', 'b', 'config', 'align']);
  assert.deepEqual(args('Mutation', 'evaluatePath'), ['pathId', 'pointsPerSegment']);
  assert.deepEqual(args('Mutation', 'exploreLandscape'), ['landscapeId', 'maxPairs', 'parallel', 'tolerance', 'config', 'align']);
  assert.deepEqual(args('Mutation', 'importMinimum'), ['landscapeId', 'uploadId', 'seed']);
  assert.deepEqual(args('Query', 'runs'), ['first', 'after', 'status', 'kind', 'tags']);
  // The signature: deleteMinimum(id: ID!, cascade: Boolean = false).
  const [id, cascade] = (schema.getType('Mutation') as GraphQLObjectType).getFields().deleteMinimum.args;
  assert.deepEqual([id.name, String(id.type), cascade.name, String(cascade.type), cascade.defaultValue], ['id', 'ID!', 'cascade', 'Boolean', false]);
});

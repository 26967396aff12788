// Landscapes: the list, a form that creates one (architecture, data set, presets), delete.
import { useMutation, useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { int, when } from './format';
import { CATALOG, CREATE_LANDSCAPE, DELETE_LANDSCAPE, LANDSCAPES, type Architecture, type CatalogData, type LandscapesData } from './queries';
import { href, navigate } from './router';
import { Empty, ErrorBox, Loading, Section, describeError } from './ui';

export function describeArchitecture(a: Architecture): string {
  switch (a.kind) {
    case 'mlp':
      return `MLP ${(a.widths ?? []).join('–')}`;
    case 'cnn':
      return `CNN ${(a.channels ?? []).join('–')}`;
    case 'resnet':
      return `ResNet-${a.depth ?? '?'}${a.channels ? ` (${a.channels.join('–')})` : ''}`;
    case 'surface':
      return `surface ${a.surface ?? ''}`;
    default:
      return a.kind;
  }
}

export function LandscapesView() {
  const [{ data, fetching, error }, refetch] = useQuery<LandscapesData>({ query: LANDSCAPES, requestPolicy: 'cache-and-network' });
  const [deleting, deleteLandscape] = useMutation(DELETE_LANDSCAPE);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  const remove = async (id: string, name: string) => {
    if (!window.confirm(`Delete landscape "${name}" with all its minima, runs and paths?`)) return;
    const res = await deleteLandscape({ id });
    setDeleteError(res.error ? describeError(res.error) : null);
    refetch({ requestPolicy: 'network-only' });
  };

  const rows = data?.landscapes.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Landscapes</h1>
      <Section title={`All landscapes${data ? ` (${data.landscapes.totalCount})` : ''}`}>
        {error && <ErrorBox error={error} what="load the landscapes" />}
        {deleteError && <ErrorBox error={deleteError} what="delete the landscape" />}
        {!data && fetching && <Loading what="landscapes" />}
        {data && rows.length === 0 && <Empty>No landscapes yet. Create one below: a network on a data set, or an analytic 2-D surface.</Empty>}
        {rows.length > 0 && (
          <table class="data" data-testid="landscapes-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Architecture</th>
                <th>Data set</th>
                <th>AutoNEB preset</th>
                <th class="num">Minima</th>
                <th class="num">Paths</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr key={l.id}>
                  <td>
                    <a href={href.landscape(l.id)}>{l.name}</a>
                  </td>
                  <td>{describeArchitecture(l.architecture)}</td>
                  <td>{l.dataset?.name ?? '–'}</td>
                  <td>{l.autonebPreset}</td>
                  <td class="num">{int(l.minima.totalCount)}</td>
                  <td class="num">{int(l.paths.totalCount)}</td>
                  <td>{when(l.createdAt)}</td>
                  <td>
                    <button class="link danger" disabled={deleting.fetching} onClick={() => remove(l.id, l.name)}>
                      delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <CreateLandscape onCreated={(id) => navigate(href.landscape(id))} />
    </>
  );
}

interface Form {
  name: string;
  kind: string;
  widths: string;
  channels: string;
  depth: string;
  surface: string;
  dataset: string;
  trainSize: string;
  testSize: string;
  steps: string;
  autonebPreset: string;
}

/** Starting points for the form; every field stays editable. */
const TEMPLATES: { label: string; form: Partial<Form> }[] = [
  { label: 'Müller-Brown surface', form: { name: 'Müller-Brown', kind: 'surface', surface: 'muller-brown', autonebPreset: 'surface' } },
  { label: 'MNIST MLP (CPU)', form: { name: 'MNIST MLP 50', kind: 'mlp', widths: '50', dataset: 'mnist', trainSize: '10000', testSize: '2000', steps: '2000', autonebPreset: 'small' } },
  { label: 'CIFAR-10 ResNet-20 (paper)', form: { name: 'CIFAR-10 ResNet-20', kind: 'resnet', depth: '20', dataset: 'cifar10', steps: '', autonebPreset: 'paper' } },
];

const EMPTY_FORM: Form = {
  name: '', kind: 'surface', widths: '', channels: '', depth: '', surface: '', dataset: '', trainSize: '', testSize: '', steps: '', autonebPreset: '',
};

const ints = (s: string) => s.split(/[\s,;]+/).filter(Boolean).map(Number);
const optInt = (s: string) => (s.trim() === '' ? undefined : Number(s));

function toInput(f: Form) {
  const architecture: Record<string, unknown> = { kind: f.kind };
  if (f.kind === 'mlp') architecture.widths = ints(f.widths);
  if (f.kind === 'cnn' && f.channels.trim()) architecture.channels = ints(f.channels);
  if (f.kind === 'resnet') {
    architecture.depth = optInt(f.depth);
    if (f.channels.trim()) architecture.channels = ints(f.channels);
  }
  if (f.kind === 'surface') architecture.surface = f.surface;
  const input: Record<string, unknown> = { name: f.name.trim(), architecture };
  if (f.kind !== 'surface') input.dataset = { name: f.dataset, trainSize: optInt(f.trainSize), testSize: optInt(f.testSize) };
  if (f.steps.trim()) input.training = { steps: optInt(f.steps) };
  if (f.autonebPreset) input.autonebPreset = f.autonebPreset;
  return input;
}

function CreateLandscape({ onCreated }: { onCreated: (id: string) => void }) {
  const [{ data: catalog, error: catalogError }] = useQuery<CatalogData>({ query: CATALOG });
  const [form, setForm] = useState<Form>(EMPTY_FORM);
  const [result, create] = useMutation<{ createLandscape: { id: string } }>(CREATE_LANDSCAPE);
  const [error, setError] = useState<string | null>(null);
  const c = catalog?.catalog;
  const set = (k: keyof Form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const select = (k: keyof Form, options: readonly string[] | undefined, label: string, testId: string, fallback?: string) => (
    <label>
      {label}
      <select value={form[k]} onChange={set(k)} data-testid={testId} required={!fallback}>
        <option value="">{fallback ?? 'choose…'}</option>
        {(options ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  const text = (k: keyof Form, label: string, placeholder: string, testId: string) => (
    <label>
      {label}
      <input value={form[k]} onInput={set(k)} placeholder={placeholder} data-testid={testId} />
    </label>
  );

  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await create({ input: toInput(form) });
    if (res.error) return setError(describeError(res.error));
    setError(null);
    if (res.data) onCreated(res.data.createLandscape.id);
  };

  return (
    <Section
      title="Create a landscape"
      actions={TEMPLATES.map((t) => (
        <button key={t.label} type="button" class="secondary" onClick={() => setForm({ ...EMPTY_FORM, ...t.form })}>
          {t.label}
        </button>
      ))}
    >
      {catalogError && <ErrorBox error={catalogError} what="load the catalog of architectures and data sets" />}
      <form class="grid-form" onSubmit={submit} data-testid="create-landscape">
        {text('name', 'Name', 'e.g. MNIST MLP 50', 'name')}
        {select('kind', c?.architectureKinds, 'Architecture', 'kind')}
        {form.kind === 'mlp' && text('widths', 'Hidden widths', '50, 50', 'widths')}
        {form.kind === 'resnet' && text('depth', 'Depth (6n+2)', '20', 'depth')}
        {(form.kind === 'cnn' || form.kind === 'resnet') && text('channels', 'Channels', form.kind === 'cnn' ? '16, 32' : 'default', 'channels')}
        {form.kind === 'surface' && select('surface', c?.surfaceNames, 'Surface', 'surface')}
        {form.kind !== 'surface' && select('dataset', c?.datasetNames, 'Data set', 'dataset')}
        {form.kind !== 'surface' && text('trainSize', 'Train examples', 'all', 'train-size')}
        {form.kind !== 'surface' && text('testSize', 'Test examples', 'all', 'test-size')}
        {text('steps', 'Training steps per minimum', 'paper: 64000', 'steps')}
        {select('autonebPreset', c?.autonebPresets, 'AutoNEB preset', 'preset', 'default (paper)')}
        <div class="form-actions">
          <button type="submit" disabled={result.fetching || !form.name.trim()} data-testid="create">
            {result.fetching ? 'Creating…' : 'Create landscape'}
          </button>
        </div>
      </form>
      {error && <ErrorBox error={error} what="create the landscape" />}
    </Section>
  );
}

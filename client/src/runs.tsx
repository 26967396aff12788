// Runs: every long action with its status and live progress (runProgress over graphql-ws);
// cancel; the failure reason of failed runs.
import { useMutation, useQuery, useSubscription } from '@urql/preact';
import { useEffect, useState } from 'preact/hooks';
import { duration, shortId, when } from './format';
import { CANCEL_RUN, RUN_PROGRESS, RUNS, type Run, type RunProgressData, type RunStatus, type RunsData } from './queries';
import { href } from './router';
import { Badge, Empty, ErrorBox, Loading, ProgressBar, Section, describeError, isActive, progressText } from './ui';

const STATUSES: RunStatus[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export function RunsView() {
  const [status, setStatus] = useState<RunStatus | ''>('');
  const [{ data, fetching, error }, refetch] = useQuery<RunsData>({ query: RUNS, variables: { status: status || null }, requestPolicy: 'cache-and-network' });
  const runs = (data?.runs.edges.map((e) => e.node) ?? []).slice().reverse();
  const active = runs.some((r) => isActive(r.status));
  // New runs and final states: re-read every few seconds while anything runs.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 3000);
    return () => clearInterval(timer);
  }, [active, status]);

  return (
    <>
      <h1>Runs</h1>
      <Section
        title={`Runs${data ? ` (${data.runs.totalCount})` : ''}, newest first`}
        actions={
          <label class="inline">
            status{' '}
            <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as RunStatus | '')} data-testid="status-filter">
              <option value="">all</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.toLowerCase()}
                </option>
              ))}
            </select>
          </label>
        }
      >
        {error && <ErrorBox error={error} what="load the runs" />}
        {!data && fetching && <Loading what="runs" />}
        {data && runs.length === 0 && <Empty>{status ? `No ${status.toLowerCase()} runs.` : 'No runs yet. Start one from a landscape: train minima, connect a pair, or explore.'}</Empty>}
        {runs.length > 0 && (
          <table class="data" data-testid="runs-table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Kind</th>
                <th>Landscape</th>
                <th>Status</th>
                <th class="progress-col">Progress</th>
                <th>Created</th>
                <th>Duration</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <RunRow key={r.id} run={r} onChanged={() => refetch({ requestPolicy: 'network-only' })} />
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}

function RunRow({ run, onChanged }: { run: Run & { landscape: { id: string; name: string } }; onChanged: () => void }) {
  const [{ data: live }] = useSubscription<RunProgressData>({ query: RUN_PROGRESS, variables: { runId: run.id }, pause: !isActive(run.status) });
  const [cancelState, cancel] = useMutation(CANCEL_RUN);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const event = live?.runProgress;
  // The newer of the stored record and the last event.
  const fresh = event && new Date(event.at) >= new Date(run.updatedAt);
  const status = fresh ? event.status : run.status;
  const progress = fresh ? event.progress : run.progress;
  const errorMessage = (fresh ? event.errorMessage : null) ?? run.errorMessage;
  useEffect(() => {
    if (fresh && !isActive(event.status)) onChanged();
  }, [fresh && event.status]);

  return (
    <tr data-testid="run-row" data-status={status}>
      <td title={run.id}>{shortId(run.id)}</td>
      <td>{run.kind.toLowerCase()}</td>
      <td>
        <a href={href.landscape(run.landscape.id)}>{run.landscape.name}</a>
      </td>
      <td>
        <Badge status={status} />
      </td>
      <td>
        <ProgressBar status={status} progress={progress} />
        <div class="muted small">{progressText(progress)}</div>
        {status === 'FAILED' && <div class="failure" data-testid="failure">{errorMessage ?? 'failed without a message'}</div>}
        {cancelError && <div class="failure">{cancelError}</div>}
      </td>
      <td>{when(run.createdAt)}</td>
      <td>{duration(run.startedAt, run.finishedAt)}</td>
      <td>
        {isActive(status) && (
          <button
            class="link danger"
            disabled={cancelState.fetching}
            data-testid="cancel"
            onClick={async () => {
              const res = await cancel({ id: run.id });
              setCancelError(res.error ? `Could not cancel: ${describeError(res.error)}` : null);
              onChanged();
            }}
          >
            cancel
          </button>
        )}
      </td>
    </tr>
  );
}

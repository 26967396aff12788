// Small shared pieces: loading / empty / error states, status badges, progress bars.
import type { CombinedError } from '@urql/core';
import type { ComponentChildren } from 'preact';
import type { Json, RunStatus } from './queries';

/** What went wrong, in words: the server's message and code, or that it could not be reached. */
export function describeError(error: CombinedError): string {
  if (error.networkError) return `Cannot reach the server (${error.networkError.message}).`;
  return error.graphQLErrors
    .map((e) => {
      const code = e.extensions?.code;
      return code ? `${e.message} [${String(code)}]` : e.message;
    })
    .join('; ');
}

export function ErrorBox({ error, what }: { error: CombinedError | string; what: string }) {
  const text = typeof error === 'string' ? error : describeError(error);
  return (
    <div class="state error" role="alert" data-testid="error">
      <strong>Could not {what}.</strong> {text}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <div class="state loading" data-testid="loading">
      Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return (
    <div class="state empty" data-testid="empty">
      {children}
    </div>
  );
}

export function Badge({ status }: { status: string }) {
  return <span class={`badge badge-${status.toLowerCase()}`}>{status.toLowerCase()}</span>;
}

const ACTIVE: readonly string[] = ['QUEUED', 'RUNNING'];
export const isActive = (status: RunStatus | string) => ACTIVE.includes(status);

/**
 * Fraction done in [0, 1] from a run's progress record, whichever counter pair it carries
 * (`fraction`, or done/total pairs such as step/steps, cycle/cycles); null when unknown.
 */
export function progressFraction(progress: Json | null | undefined): number | null {
  if (!progress) return null;
  const n = (k: string) => (typeof progress[k] === 'number' ? (progress[k] as number) : null);
  const f = n('fraction') ?? n('progress');
  if (f !== null) return Math.min(1, Math.max(0, f));
  const pairs: [string, string][] = [
    ['done', 'total'], ['step', 'steps'], ['cycle', 'cycles'], ['epoch', 'epochs'], ['trained', 'count'], ['pairsTried', 'maxPairs'], ['completed', 'total'],
  ];
  for (const [done, total] of pairs) {
    const d = n(done);
    const t = n(total);
    if (d !== null && t) return Math.min(1, Math.max(0, d / t));
  }
  return null;
}

/** One line describing a progress record: its numeric and short string fields. */
export function progressText(progress: Json | null | undefined): string {
  if (!progress) return '';
  return Object.entries(progress)
    .filter(([, v]) => typeof v === 'number' || (typeof v === 'string' && v.length < 40))
    .slice(0, 5)
    .map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : v}`)
    .join(' · ');
}

export function ProgressBar({ status, progress }: { status: RunStatus; progress: Json | null }) {
  const fraction = status === 'SUCCEEDED' ? 1 : progressFraction(progress);
  const label = fraction === null ? (isActive(status) ? 'in progress' : '') : `${Math.round(fraction * 100)} %`;
  return (
    <div class="progress" title={progressText(progress)} data-testid="progress">
      <div
        class={`progress-bar ${fraction === null && isActive(status) ? 'indeterminate' : ''} progress-${status.toLowerCase()}`}
        style={{ width: fraction === null ? (isActive(status) ? '100%' : '0') : `${fraction * 100}%` }}
        role="progressbar"
        aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
        aria-valuemin={0}
        aria-valuemax={100}
      />
      <span class="progress-label">{label}</span>
    </div>
  );
}

export function Section({ title, children, actions, id }: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }) {
  return (
    <section class="card" id={id}>
      <header class="card-head">
        <h2>{title}</h2>
        {actions && <div class="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

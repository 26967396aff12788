// Number formatting for tables and labels: losses to 4 significant digits, errors as percentages.

const DASH = '–';

export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return DASH;
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e').replace('e', ' e');
  return x.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** A fraction in [0, 1] (classification error) as a percentage. */
export function pct(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return `${(x * 100).toFixed(digits)} %`;
}

export function int(x: number | null | undefined): string {
  return x === null || x === undefined ? DASH : x.toLocaleString('en-US');
}

export function when(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
}

/** Shortened opaque id for display (full id in the title attribute). */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

export function duration(fromIso: string | null | undefined, toIso?: string | null): string {
  if (!fromIso) return DASH;
  const ms = (toIso ? new Date(toIso).getTime() : Date.now()) - new Date(fromIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return DASH;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
}

/**
 * AutoNEB configuration: a list of cycles, merged cycle by cycle as in the authors' YAML files
 * (torch_autoneb configs/*.yaml): the first cycle is the defaults overlaid with the preset's
 * `base`, the caller's `base` and the first cycle override; every later cycle is the previous
 * cycle overlaid with its own override. So `{}` repeats the previous cycle, and a setting
 * (learning rate, insertion, climbing, ...) stays until a later cycle changes it; `insertion:
 * null` stops inserting. Nested objects merge field by field, except that an insertion naming a
 * different strategy starts from that strategy's defaults (INSERTION_DEFAULTS), not from the
 * previous strategy's fields.
 */
import { InvalidInputError } from '../errors';
import { namedTable } from '../strategies';
import type { NebMethodName } from '../neb/methods';
import { NEB_METHOD_NAMES } from '../neb/methods';
import type { OptimizerConfig } from '../neb/optimizers';
import { DEFAULT_OPTIMIZER, validateOptimizerConfig } from '../neb/optimizers';
import type { StopConfig } from './stopping';
import { STOP_DEFAULTS } from './stopping';

export const INSERTION_STRATEGY_NAMES = ['equal', 'highest'] as const;
export type InsertionStrategyName = (typeof INSERTION_STRATEGY_NAMES)[number];

/** `equal`: `count` new pivots equally spaced in every segment. */
export interface EqualInsertionConfig {
  readonly strategy: 'equal';
  readonly count: number;
}

/**
 * `highest`: at most `count` new pivots, one per segment, in the segments whose largest dense
 * residual (energy minus the linear interpolation of the segment's pivot energies) exceeds
 * `threshold` times the pivot energy range; placed at that largest residual.
 */
export interface HighestInsertionConfig {
  readonly strategy: 'highest';
  readonly count: number;
  readonly threshold: number;
}

export type InsertionConfig = EqualInsertionConfig | HighestInsertionConfig;

export interface CycleConfig {
  /** Optimiser steps in this cycle (>= 0). */
  readonly steps: number;
  readonly learningRate: number;
  /** Pivot insertion at the start of the cycle (null: none). */
  readonly insertion: InsertionConfig | null;
  readonly method: NebMethodName;
  /** Spring stiffness for the spring methods (unused by `string`). */
  readonly springConstant: number;
  /** Let the highest interior pivot climb during this cycle. */
  readonly climbing: boolean;
  readonly optimizer: OptimizerConfig;
  /** Dense evaluation points between each pair of neighbouring pivots (>= 1). */
  readonly evaluationPoints: number;
  /** Stopping rule of this cycle (see stopping.ts); null: always run every step. */
  readonly stop: StopConfig | null;
  /** Evaluate the two endpoints (fixed minima) once per run instead of at every step. */
  readonly endpointsOnce: boolean;
  /** Carry the optimiser's state over from the previous cycle when no pivot was inserted. */
  readonly keepOptimizer: boolean;
  /**
   * The optimiser sees forces relative to the run's force scale and moves in units of the
   * distance between the minima (learning rate, FIRE's maxstep): the path then does not depend
   * on the energy's or the coordinates' units.
   */
  readonly relativeUnits: boolean;
  /**
   * Mini-batch energies: after the cycle in which the run converged (nothing left to insert or
   * change), one more cycle at `learningRate x anneal`, its stopping rule's window divided by
   * `anneal` (the same rule in units of learning rate x steps), before the run ends. SGD leaves
   * the pivots in a noise ball around the path whose size grows with the step, and it shows as
   * interior loss bumps on the full training set; steps at a tenth of the rate let them settle
   * (the published schedule ends at lr / 100 for the same reason). null: end where it converged.
   */
  readonly anneal: number | null;
}

export interface CycleOverride {
  readonly steps?: number;
  readonly learningRate?: number;
  readonly insertion?: (Partial<EqualInsertionConfig> | Partial<HighestInsertionConfig>) | null;
  readonly method?: NebMethodName;
  readonly springConstant?: number;
  readonly climbing?: boolean;
  readonly optimizer?: Partial<OptimizerConfig>;
  readonly evaluationPoints?: number;
  readonly stop?: Partial<StopConfig> | null;
  readonly endpointsOnce?: boolean;
  readonly keepOptimizer?: boolean;
  readonly relativeUnits?: boolean;
  readonly anneal?: number | null;
}

export interface AutoNebPreset {
  readonly base: CycleOverride;
  readonly cycles: readonly CycleOverride[];
  /**
   * For stochastic energies (mini-batch losses): settings over `base` for every cycle, as a
   * caller's base would be (a setting the cycles give once yields to it).
   */
  readonly stochastic?: CycleOverride;
}

export interface ResolveOptions {
  /** Whether the energy is stochastic (a network's mini-batch loss): the preset's `stochastic` settings apply. */
  readonly stochastic?: boolean;
}

export interface AutoNebConfigInput {
  /** Preset giving the base and the cycles (default `adaptive`). */
  readonly preset?: PresetName;
  /**
   * Settings for every cycle, overlaid on the preset's base. A field the preset's cycles set
   * once yields to it; one they change from cycle to cycle, or one `cycles` also sets, is refused.
   */
  readonly base?: CycleOverride;
  /** Per-cycle overrides; when given they replace the preset's cycles. */
  readonly cycles?: readonly CycleOverride[];
}

/** Settings before any override: the paper's first cycle without its insertion. */
export const DEFAULT_CYCLE: CycleConfig = {
  steps: 1000,
  learningRate: 0.1,
  insertion: null,
  method: 'string',
  springConstant: 1,
  climbing: false,
  optimizer: DEFAULT_OPTIMIZER,
  evaluationPoints: 9,
  stop: null,
  endpointsOnce: false,
  keepOptimizer: false,
  relativeUnits: false,
  anneal: null,
};

const DEFAULT_THRESHOLD = 0.1;

/** What a cycle gets when it switches to a strategy without giving every field: the paper's values. */
export const INSERTION_DEFAULTS: { readonly [K in InsertionStrategyName]: Extract<InsertionConfig, { strategy: K }> } = {
  equal: { strategy: 'equal', count: 3 },
  highest: { strategy: 'highest', count: 2, threshold: DEFAULT_THRESHOLD },
};

/** Insertion strategies by name, with their defaults (the functions: INSERTION_STRATEGIES in ./insertion.ts). */
const INSERTION_TABLE = namedTable<InsertionConfig>('insertion strategy', INSERTION_DEFAULTS);

/**
 * Convergence-driven (issue 16): FIRE in relative units, the string method, endpoints evaluated
 * once, every cycle stopping by the force rule. Cycle 1 puts 5 pivots on the line and relaxes
 * them loosely; cycle 2 inserts where the dense residual exceeds 0.2 of the pivot energy range
 * (the paper's text; its code's 0.1 inserted pivots the saddle did not need) and climbs; later
 * cycles insert again only if the residual rule still asks. A run ends once a cycle converged and
 * the next would change nothing; the step caps only bound a run that cannot converge. FIRE's
 * dt 0.2, dtmax 2, Nmin 1, astart 0.3 (ASE: 0.1, 1, 5, 0.1) took the fewest evaluations on the
 * analytic surfaces of the settings tried (docs/autoneb-convergence.md).
 */
const ADAPTIVE: AutoNebPreset = {
  base: {
    optimizer: { name: 'fire', weightDecay: 0, dt: 0.2, dtmax: 2, Nmin: 1, astart: 0.3 },
    endpointsOnce: true,
    relativeUnits: true,
    evaluationPoints: 4,
    stop: { force: 3e-3, window: 20, saddle: 1e-3 },
  },
  cycles: [
    { insertion: { strategy: 'equal', count: 3 }, steps: 500, stop: { force: 5e-2 } },
    { insertion: { strategy: 'highest', count: 2, threshold: 0.2 }, climbing: true, stop: { force: 3e-3 } },
    {},
    {},
    {},
    {},
  ],
  /**
   * Mini-batch gradients: FIRE's downhill test F.v > 0 fails at random, each failure halves dt,
   * and dt collapsed to ~0 (118 resets in 600 steps on an MNIST MLP path): SGD with momentum, the
   * paper's optimiser, at the paper's step for that path (lr 0.1 there = 0.006 here in relative
   * units, force x L / force scale), judged by the peak rule (stopping.ts); once converged, one
   * cycle at a tenth of the rate (`anneal`).
   */
  stochastic: { optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 0 }, learningRate: 0.006, anneal: 0.1 },
};

/**
 * The published schedule (torch_autoneb configs/cifar10-resnet20.yaml) with steps scaled:
 * 4 cycles at lr 0.1 (the first inserting 3 pivots per segment, the next three `highest`),
 * 2 cycles of twice the steps without insertion, 4 at lr / 10, 4 at lr / 100.
 */
function publishedSchedule(steps: number, learningRate: number): CycleOverride[] {
  const highest = { strategy: 'highest', count: 2, threshold: DEFAULT_THRESHOLD } as const;
  return [
    { insertion: { strategy: 'equal', count: 3 }, steps, learningRate },
    { insertion: highest },
    {},
    {},
    { insertion: null, steps: 2 * steps },
    {},
    { steps, learningRate: learningRate / 10 },
    {},
    {},
    {},
    { learningRate: learningRate / 100 },
    {},
    {},
    {},
  ];
}

export const PRESETS = {
  /** The authors' published configuration: 14 cycles, 1000/2000 steps, SGD lr 0.1 -> 0.001. */
  paper: { base: {}, cycles: publishedSchedule(1000, 0.1) },
  /** The same schedule with a tenth of the steps, for CPU runs on small networks. */
  small: { base: {}, cycles: publishedSchedule(100, 0.1) },
  /** Four short cycles for smoke tests and CI. */
  tiny: {
    base: {},
    cycles: [
      { insertion: { strategy: 'equal', count: 3 }, steps: 20, learningRate: 0.1 },
      { insertion: { strategy: 'highest', count: 2, threshold: DEFAULT_THRESHOLD } },
      { insertion: null, learningRate: 0.01 },
      { learningRate: 0.001 },
    ],
  },
  /**
   * For the analytic 2-D surfaces: Adam makes the step independent of the very different
   * gradient scales (Müller-Brown ~1000, Himmelblau ~100, curved valley ~1); no weight decay,
   * which would pull the path towards the origin. lr 0.01 -> 0.001 -> 0.0001 in box units.
   */
  surface: { base: { optimizer: { name: 'adam', weightDecay: 0 } }, cycles: publishedSchedule(200, 0.01) },
  adaptive: ADAPTIVE,
} satisfies Record<string, AutoNebPreset>;

/** The preset a caller who gives no config gets. */
export const DEFAULT_PRESET: PresetName = 'adaptive';

export type PresetName = keyof typeof PRESETS;

const CYCLE_KEYS = Object.keys(DEFAULT_CYCLE) as Array<keyof CycleConfig>;
const OPTIMIZER_KEYS = Object.keys(DEFAULT_OPTIMIZER);
const STOP_KEYS = Object.keys(STOP_DEFAULTS);

/** One cycle overlaid with an override (unknown keys are errors: a typo must not be ignored). */
export function mergeCycle(previous: CycleConfig, override: CycleOverride, field = 'cycle'): CycleConfig {
  checkKeys(override, CYCLE_KEYS, field);
  if (override.optimizer !== undefined) checkKeys(override.optimizer, OPTIMIZER_KEYS, `${field}.optimizer`);
  return {
    ...previous,
    ...withoutUndefined(override),
    insertion: override.insertion === undefined ? previous.insertion : mergeInsertion(previous.insertion, override.insertion, `${field}.insertion`),
    optimizer: { ...previous.optimizer, ...withoutUndefined(override.optimizer ?? {}) },
    stop: override.stop === undefined ? previous.stop : mergeStop(previous.stop, override.stop, `${field}.stop`),
  } as CycleConfig;
}

function mergeStop(previous: StopConfig | null, override: Partial<StopConfig> | null, field: string): StopConfig | null {
  if (override === null) return null;
  checkKeys(override, STOP_KEYS, field);
  return { ...(previous ?? STOP_DEFAULTS), ...withoutUndefined(override) };
}

function mergeInsertion(previous: InsertionConfig | null, override: CycleOverride['insertion'], field: string): InsertionConfig | null {
  if (override === null || override === undefined) return null;
  if (typeof override !== 'object') throw new InvalidInputError(field, `must be an object or null, got ${JSON.stringify(override)}`);
  const strategy = override.strategy ?? previous?.strategy;
  if (strategy === undefined) throw new InvalidInputError(`${field}.strategy`, `missing; known: ${INSERTION_STRATEGY_NAMES.join(', ')}`);
  const defaults: InsertionConfig = INSERTION_TABLE.get(strategy, `${field}.strategy`);
  checkKeys(override, Object.keys(defaults), field);
  const inherited = previous?.strategy === strategy ? previous : defaults;
  return { ...inherited, ...withoutUndefined(override), strategy } as InsertionConfig;
}

/** Checks every field of a resolved cycle; `field` names the cycle in error messages. */
export function validateCycle(cycle: CycleConfig, field = 'cycle'): void {
  const { steps, learningRate, method, springConstant, evaluationPoints, insertion } = cycle;
  if (!Number.isInteger(steps) || steps < 0) throw new InvalidInputError(`${field}.steps`, `must be an integer >= 0, got ${steps}`);
  if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new InvalidInputError(`${field}.learningRate`, `must be a finite number > 0, got ${learningRate}`);
  if (!NEB_METHOD_NAMES.includes(method)) throw new InvalidInputError(`${field}.method`, `unknown NEB method "${method}"; known: ${NEB_METHOD_NAMES.join(', ')}`);
  if (method !== 'string' && !(springConstant > 0 && Number.isFinite(springConstant))) {
    throw new InvalidInputError(`${field}.springConstant`, `must be a finite number > 0 for method ${method}, got ${springConstant}`);
  }
  if (typeof cycle.climbing !== 'boolean') throw new InvalidInputError(`${field}.climbing`, `must be a boolean, got ${JSON.stringify(cycle.climbing)}`);
  if (!Number.isInteger(evaluationPoints) || evaluationPoints < 1) {
    throw new InvalidInputError(`${field}.evaluationPoints`, `must be an integer >= 1, got ${evaluationPoints}`);
  }
  validateOptimizerConfig(cycle.optimizer, `${field}.optimizer`);
  for (const key of ['endpointsOnce', 'keepOptimizer', 'relativeUnits'] as const) {
    if (typeof cycle[key] !== 'boolean') throw new InvalidInputError(`${field}.${key}`, `must be a boolean, got ${JSON.stringify(cycle[key])}`);
  }
  if (cycle.stop !== null) validateStop(cycle.stop, `${field}.stop`);
  if (cycle.anneal !== null && !(typeof cycle.anneal === 'number' && cycle.anneal > 0 && cycle.anneal < 1)) {
    throw new InvalidInputError(`${field}.anneal`, `must be in (0, 1) (a factor of the learning rate) or null, got ${JSON.stringify(cycle.anneal)}`);
  }
  if (insertion === null) return;
  INSERTION_TABLE.get(insertion.strategy, `${field}.insertion.strategy`);
  if (!Number.isInteger(insertion.count) || insertion.count < 1) {
    throw new InvalidInputError(`${field}.insertion.count`, `must be an integer >= 1, got ${insertion.count}`);
  }
  if (insertion.strategy === 'highest' && !(insertion.threshold >= 0 && insertion.threshold <= 1)) {
    throw new InvalidInputError(`${field}.insertion.threshold`, `must be in [0, 1] (a fraction of the pivot energy range), got ${insertion.threshold}`);
  }
}

/** The validated list of cycles for a config (or a preset name). */
export function resolveAutoNebConfig(input: AutoNebConfigInput | PresetName = {}, options: ResolveOptions = {}): CycleConfig[] {
  const config: AutoNebConfigInput = typeof input === 'string' ? { preset: input } : input;
  if (config === null || typeof config !== 'object') throw new InvalidInputError('config', `must be an object or a preset name, got ${JSON.stringify(input)}`);
  checkKeys(config, ['preset', 'base', 'cycles'], 'config');
  const presetName = config.preset ?? DEFAULT_PRESET;
  const preset: AutoNebPreset | undefined = (PRESETS as Record<string, AutoNebPreset>)[presetName];
  if (!preset) throw new InvalidInputError('config.preset', `unknown preset "${presetName}"; known: ${Object.keys(PRESETS).join(', ')}`);
  const variant = options.stochastic ? preset.stochastic : undefined;
  const given = config.cycles ?? (variant ? withBase(variant, preset.cycles, presetName) : preset.cycles);
  if (!Array.isArray(given) || given.length === 0) throw new InvalidInputError('config.cycles', 'must be a non-empty list of cycle overrides');
  const start = mergeCycle(mergeCycle(DEFAULT_CYCLE, preset.base, 'preset.base'), variant ?? {}, 'preset.stochastic');
  const base = config.base ?? {};
  // Every field of `base` is checked on its own, even where the cycles would hide it.
  validateCycle(mergeCycle(start, base, 'config.base'), 'config.base');
  const overrides = config.cycles ? refuseBaseInCycles(base, given) : withBase(base, given, presetName);
  let current = mergeCycle(start, base, 'config.base');
  return overrides.map((override, i) => {
    current = mergeCycle(current, override ?? {}, `config.cycles[${i}]`);
    validateCycle(current, `config.cycles[${i}]`);
    return current;
  });
}

function validateStop(stop: StopConfig, field: string): void {
  if (!(stop.force > 0 && stop.force < 1)) throw new InvalidInputError(`${field}.force`, `must be in (0, 1) (a fraction of the run's force scale), got ${stop.force}`);
  if (!(stop.saddle > 0 && stop.saddle < 1)) throw new InvalidInputError(`${field}.saddle`, `must be in (0, 1) (a fraction of the barrier), got ${stop.saddle}`);
  if (!Number.isInteger(stop.window) || stop.window < 0) throw new InvalidInputError(`${field}.window`, `must be an integer >= 0 (steps), got ${stop.window}`);
}

/**
 * The settings `base` gives, as paths into a cycle override: `learningRate`, `optimizer.momentum`,
 * `stop.window` (optimizer and stop fields one by one, as they merge), `insertion` (whole).
 */
function baseSettings(base: CycleOverride): string[][] {
  return Object.entries(base).flatMap(([key, value]) => {
    if (value === undefined) return [];
    // The optimiser and the stopping rule merge field by field, so their fields count one by one.
    if ((key === 'optimizer' || key === 'stop') && value !== null && typeof value === 'object') {
      return Object.entries(value as object).filter(([, v]) => v !== undefined).map(([sub]) => [key, sub]);
    }
    return [[key]];
  });
}

function setsIn(override: CycleOverride | undefined, path: string[]): boolean {
  let value: unknown = override;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value !== undefined;
}

/**
 * `base` holds for every cycle: a field the preset sets once is replaced by it (the preset's
 * `steps: 20` in tiny's first cycle yields to `base.steps`); a field the preset changes from cycle
 * to cycle (the learning-rate schedule) is refused, since base would silently lose to it.
 */
function withBase(base: CycleOverride, cycles: readonly CycleOverride[], preset: string): CycleOverride[] {
  let result = [...cycles];
  for (const path of baseSettings(base)) {
    const setting = path.join('.');
    const at = cycles.flatMap((override, i) => (setsIn(override, path) ? [i + 1] : []));
    if (at.length > 1) {
      throw new InvalidInputError(`config.base.${setting}`, `preset "${preset}" changes ${setting} from cycle to cycle (cycles ${at.join(', ')}), so a base value would not hold; give config.cycles with ${setting} per cycle instead`);
    }
    result = result.map((override) => (setsIn(override, path) ? without(override, path) : override));
  }
  return result;
}

/** With the caller's own cycles, a field set both in `base` and in a cycle is a contradiction. */
function refuseBaseInCycles(base: CycleOverride, cycles: readonly CycleOverride[]): readonly CycleOverride[] {
  for (const path of baseSettings(base)) {
    const i = cycles.findIndex((override) => setsIn(override, path));
    if (i >= 0) throw new InvalidInputError(`config.base.${path.join('.')}`, `config.cycles[${i}] sets ${path.join('.')} too, so the base value would not hold; set it in one place`);
  }
  return cycles;
}

function without(override: CycleOverride, path: string[]): CycleOverride {
  const [key, sub] = path;
  const { [key as keyof CycleOverride]: removed, ...rest } = override;
  if (sub === undefined || removed === null || typeof removed !== 'object') return rest;
  const { [sub]: _gone, ...inner } = removed as Record<string, unknown>;
  return { ...rest, [key]: inner };
}

function checkKeys(object: object, allowed: readonly string[], field: string): void {
  if (object === null || typeof object !== 'object') throw new InvalidInputError(field, `must be an object, got ${JSON.stringify(object)}`);
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new InvalidInputError(`${field}.${key}`, `unknown setting; known: ${allowed.join(', ')}`);
  }
}

function withoutUndefined<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

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
}

export interface AutoNebPreset {
  readonly base: CycleOverride;
  readonly cycles: readonly CycleOverride[];
}

export interface AutoNebConfigInput {
  /** Preset giving the base and the cycles (default `paper`). */
  readonly preset?: PresetName;
  /** Overlaid on the preset's base, i.e. on the first cycle; inherited by later cycles. */
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
} satisfies Record<string, AutoNebPreset>;

export type PresetName = keyof typeof PRESETS;

const CYCLE_KEYS = Object.keys(DEFAULT_CYCLE) as Array<keyof CycleConfig>;
const OPTIMIZER_KEYS = Object.keys(DEFAULT_OPTIMIZER);

/** One cycle overlaid with an override (unknown keys are errors: a typo must not be ignored). */
export function mergeCycle(previous: CycleConfig, override: CycleOverride, field = 'cycle'): CycleConfig {
  checkKeys(override, CYCLE_KEYS, field);
  if (override.optimizer !== undefined) checkKeys(override.optimizer, OPTIMIZER_KEYS, `${field}.optimizer`);
  return {
    ...previous,
    ...withoutUndefined(override),
    insertion: override.insertion === undefined ? previous.insertion : mergeInsertion(previous.insertion, override.insertion, `${field}.insertion`),
    optimizer: { ...previous.optimizer, ...withoutUndefined(override.optimizer ?? {}) },
  } as CycleConfig;
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
export function resolveAutoNebConfig(input: AutoNebConfigInput | PresetName = {}): CycleConfig[] {
  const config: AutoNebConfigInput = typeof input === 'string' ? { preset: input } : input;
  if (config === null || typeof config !== 'object') throw new InvalidInputError('config', `must be an object or a preset name, got ${JSON.stringify(input)}`);
  checkKeys(config, ['preset', 'base', 'cycles'], 'config');
  const presetName = config.preset ?? 'paper';
  const preset: AutoNebPreset | undefined = (PRESETS as Record<string, AutoNebPreset>)[presetName];
  if (!preset) throw new InvalidInputError('config.preset', `unknown preset "${presetName}"; known: ${Object.keys(PRESETS).join(', ')}`);
  const overrides = config.cycles ?? preset.cycles;
  if (!Array.isArray(overrides) || overrides.length === 0) throw new InvalidInputError('config.cycles', 'must be a non-empty list of cycle overrides');
  let current = mergeCycle(mergeCycle(DEFAULT_CYCLE, preset.base, 'preset.base'), config.base ?? {}, 'config.base');
  return overrides.map((override, i) => {
    current = mergeCycle(current, override ?? {}, `config.cycles[${i}]`);
    validateCycle(current, `config.cycles[${i}]`);
    return current;
  });
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

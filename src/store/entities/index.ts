// The explicit entity list given to MikroORM (no folder discovery).
import { ApiToken } from './api-token';
import { Curvature } from './curvature';
import { Cycle } from './cycle';
import { Landscape } from './landscape';
import { Minimum } from './minimum';
import { Path } from './path';
import { Pivot } from './pivot';
import { Run } from './run';

export { ApiToken, Curvature, Cycle, Landscape, Minimum, Path, Pivot, Run };
export type { TokenScope } from './api-token';
export type { ProfilePoint } from './cycle';

export const ENTITIES = [Landscape, Minimum, Run, Path, Cycle, Pivot, ApiToken, Curvature];

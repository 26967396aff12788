// GraphQL enums: the store's enums registered under the same names.
import { registerEnumType } from 'type-graphql';
import { LandscapeEventType } from '../../events/topics';
import { MinimumStatus, PathStatus, RunKind, RunStatus } from '../../store/enums';

registerEnumType(RunKind, { name: 'RunKind', description: 'What a run does.' });
registerEnumType(RunStatus, { name: 'RunStatus' });
registerEnumType(MinimumStatus, { name: 'MinimumStatus' });
registerEnumType(PathStatus, { name: 'PathStatus' });
registerEnumType(LandscapeEventType, { name: 'LandscapeEventType' });

export { LandscapeEventType, MinimumStatus, PathStatus, RunKind, RunStatus };

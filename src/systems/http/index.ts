import { defineSystem } from '../../core/system.js';
import { httpCheckAction } from './check-action.js';
import { createHttpProbe, httpTargetSchema } from './probe.js';

export { httpTargetSchema, type HttpTarget } from './probe.js';

/** HTTP(S) endpoints: status, body and latency; `http.check` for runbooks. */
export const httpSystem = defineSystem({
  key: 'http',
  system: 'http',
  cardinality: 'many',
  targetSchema: httpTargetSchema,
  probe: createHttpProbe,
  actions: (targets) => [httpCheckAction(targets)],
  completions: { http: (targets) => targets.map((target) => target.name) },
});

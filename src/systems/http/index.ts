import { defineSystem } from '../../core/system.js';
import { createHttpProbe, httpTargetSchema } from './probe.js';

export { httpTargetSchema, type HttpTarget } from './probe.js';

/** HTTP(S) endpoints: status, body and latency. */
export const httpSystem = defineSystem({
  key: 'http',
  system: 'http',
  cardinality: 'many',
  targetSchema: httpTargetSchema,
  probe: createHttpProbe,
});

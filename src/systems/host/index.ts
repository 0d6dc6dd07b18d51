import { defineSystem } from '../../core/system.js';
import { createHostProbe, hostTargetSchema } from './probe.js';

export { hostTargetSchema, type HostTarget } from './probe.js';

/** The machine maintbot runs on: disks, memory, load. */
export const hostSystem = defineSystem({
  key: 'host',
  system: 'host',
  cardinality: 'one',
  targetSchema: hostTargetSchema,
  probe: createHostProbe,
});

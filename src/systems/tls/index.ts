import { defineSystem } from '../../core/system.js';
import { createTlsProbe, tlsTargetSchema } from './probe.js';

export { tlsTargetSchema, type TlsTarget } from './probe.js';

/** TLS certificates: days left, chain and name. */
export const tlsSystem = defineSystem({
  key: 'tls',
  system: 'tls',
  cardinality: 'many',
  targetSchema: tlsTargetSchema,
  probe: createTlsProbe,
});

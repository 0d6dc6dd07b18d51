import Docker from 'dockerode';
import type { DockerEngine } from './engine.js';

/** The one file that loads dockerode: `engine.ts` imports it with `import()` on the first call to the engine. */
export function dockerodeClient(socket: string): DockerEngine {
  const tcp = /^(?:tcp|http):\/\/([^:/]+):(\d+)\/?$/.exec(socket);
  if (tcp) return new Docker({ host: tcp[1], port: Number(tcp[2]), protocol: 'http' });
  return new Docker({ socketPath: socket });
}

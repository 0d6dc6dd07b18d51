import type { TargetsConfig } from '../../config/targets.js';
import type { Probe } from '../probe.js';
import { createBackupProbe } from './backup.js';
import { createDockerProbe } from './docker.js';
import { createHostProbe } from './host.js';
import { createHttpProbe } from './http.js';
import { createPostgresProbe } from './postgres.js';
import { createRedisProbe } from './redis.js';
import { createTlsProbe } from './tls.js';

/** One probe per configured target, built once at start and reused by every health run, in config order. */
export function buildProbes(targets: TargetsConfig): Probe[] {
  return [
    ...(targets.host ? [createHostProbe(targets.host)] : []),
    ...targets.postgres.map((target) => createPostgresProbe(target)),
    ...targets.redis.map((target) => createRedisProbe(target)),
    ...targets.docker.map((target) => createDockerProbe(target)),
    ...targets.http.map((target) => createHttpProbe(target)),
    ...targets.tls.map((target) => createTlsProbe(target)),
    ...targets.backups.map((target) => createBackupProbe(target)),
  ];
}

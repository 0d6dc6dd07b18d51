import { backupsSystem } from './backups/index.js';
import { dockerSystem } from './docker/index.js';
import { hostSystem } from './host/index.js';
import { httpSystem } from './http/index.js';
import { kubernetesSystem } from './kubernetes/index.js';
import { logFoldersSystem } from './logs/index.js';
import { mysqlSystem } from './mysql/index.js';
import { postgresSystem } from './postgres/index.js';
import { redisSystem } from './redis/index.js';
import { tlsSystem } from './tls/index.js';

/**
 * The systems maintbot ships, in the order the health report lists their targets. The config schema
 * (`targets.<key>`), the health probes, the action registry and chat autocompletion fold over this list.
 */
export const shippedSystems = [hostSystem, postgresSystem, mysqlSystem, redisSystem, dockerSystem, kubernetesSystem, httpSystem, tlsSystem, backupsSystem, logFoldersSystem] as const;

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LineStatus } from '../core/status.js';
import type { BackupFacts } from '../core/system.js';
import { checkStateValue, type Metrics } from './metrics.js';

/** A chat connection as the metrics see it. */
export interface ConnectionState {
  connected(): boolean;
}

const runbookBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const ackBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5, 10];

const backupGaugeSpecs: { name: string; help: string; value: (facts: BackupFacts) => number | undefined }[] = [
  {
    name: 'maintbot_backup_last_success_timestamp_seconds',
    help: 'When the newest backup of each target was completed (Unix time)',
    value: (facts) => (facts.lastBackupAt ? facts.lastBackupAt.getTime() / 1000 : undefined),
  },
  { name: 'maintbot_backup_size_bytes', help: 'Size of the newest backup of each target', value: (facts) => facts.lastBackupBytes },
  {
    name: 'maintbot_restore_test_duration_seconds',
    help: 'How long the newest finished restore test of each target took, checksum to dropping the scratch database',
    value: (facts) => (facts.lastRestoreTestMs === undefined ? undefined : facts.lastRestoreTestMs / 1000),
  },
  {
    name: 'maintbot_restore_test_last_success_timestamp_seconds',
    help: 'When the newest passing restore test of each target ran (Unix time)',
    value: (facts) => (facts.lastPassedRestoreTestAt ? facts.lastPassedRestoreTestAt.getTime() / 1000 : undefined),
  },
];

/** The backup and restore-test gauges, per target, read from `facts` at each scrape (once per scrape for all four). */
function backupGauges(facts: () => Promise<BackupFacts[]>, registers: Registry[]): void {
  let scrape: { at: number; facts: Promise<BackupFacts[]> } | undefined;
  const current = (): Promise<BackupFacts[]> => {
    if (!scrape || Date.now() - scrape.at > 1000) scrape = { at: Date.now(), facts: facts().catch(() => []) };
    return scrape.facts;
  };
  for (const spec of backupGaugeSpecs) {
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: ['target'],
      registers,
      async collect() {
        const all = await current();
        this.reset();
        for (const target of all) {
          const value = spec.value(target);
          if (value !== undefined) this.set({ target: target.target }, value);
        }
      },
    });
  }
}

/** maintbot's metrics in prom-client, on a registry of its own (never the global one). */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'command' | 'outcome'>;
  private readonly runbooks: Histogram<'runbook' | 'result'>;
  private readonly approvals: Counter<'outcome'>;
  private readonly checks: Gauge<'target' | 'check'>;
  private readonly acks: Histogram<'platform'>;
  private chats: () => Iterable<[string, ConnectionState]> = () => [];
  private backups: () => Promise<BackupFacts[]> = async () => [];
  private store: { kind: string; answers: () => Promise<boolean> } | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.commands = new Counter({ name: 'maintbot_commands_total', help: 'Commands handled, by command and outcome', labelNames: ['command', 'outcome'], registers });
    this.runbooks = new Histogram({
      name: 'maintbot_runbook_duration_seconds',
      help: 'Runbook run durations, by runbook and result (completed, failed, waiting, interrupted)',
      labelNames: ['runbook', 'result'],
      buckets: runbookBuckets,
      registers,
    });
    this.approvals = new Counter({ name: 'maintbot_approvals_total', help: 'Approval events, by outcome', labelNames: ['outcome'], registers });
    this.checks = new Gauge({ name: 'maintbot_check_state', help: 'Latest state of each health check: 0 ok, 1 warn, 2 crit, 3 unknown', labelNames: ['target', 'check'], registers });
    this.acks = new Histogram({
      name: 'maintbot_ack_latency_seconds',
      help: 'Time from a command arriving to the first answer the requester saw, by platform',
      labelNames: ['platform'],
      buckets: ackBuckets,
      registers,
    });
    backupGauges(() => this.backups(), registers);
    const chats = (): Iterable<[string, ConnectionState]> => this.chats();
    new Gauge({
      name: 'maintbot_chat_connected',
      help: 'Whether each chat platform connection is up (1) or down (0)',
      labelNames: ['platform'],
      registers,
      collect() {
        this.reset();
        for (const [platform, connection] of chats()) this.set({ platform }, connection.connected() ? 1 : 0);
      },
    });
    const store = (): PrometheusMetrics['store'] => this.store;
    new Gauge({
      name: 'maintbot_store_up',
      help: 'Whether the bot\'s own store (Redis, or memory) answered a ping within 1 s at this scrape (1) or not (0)',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        const watched = store();
        if (watched) this.set({ kind: watched.kind }, (await watched.answers()) ? 1 : 0);
      },
    });
  }

  /** Where `maintbot_store_up` asks, at each scrape, whether the bot's own store answers. */
  watchStore(kind: string, answers: () => Promise<boolean>): void {
    this.store = { kind, answers };
  }

  /** Where the backup and restore-test gauges read each target's newest backup and restore tests at each scrape. */
  watchBackups(backups: () => Promise<BackupFacts[]>): void {
    this.backups = backups;
  }

  /** Where `maintbot_chat_connected` reads the chat connections at each scrape. */
  watchChats(chats: () => Iterable<[string, ConnectionState]>): void {
    this.chats = chats;
  }

  commandFinished(command: string, outcome: string): void {
    this.commands.inc({ command, outcome });
  }

  runbookFinished(runbook: string, result: string, seconds: number): void {
    this.runbooks.observe({ runbook, result }, seconds);
  }

  approvalEvent(outcome: string): void {
    this.approvals.inc({ outcome });
  }

  checkJudged(target: string, check: string, status: LineStatus): void {
    const value = checkStateValue(status);
    if (value === undefined) this.checks.remove({ target, check });
    else this.checks.set({ target, check }, value);
  }

  acknowledged(platform: string, seconds: number): void {
    this.acks.observe({ platform }, seconds);
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

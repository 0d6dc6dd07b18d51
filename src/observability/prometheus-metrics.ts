import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LineStatus } from '../core/status.js';
import { checkStateValue, type Metrics } from './metrics.js';

/** A chat connection as the metrics see it. */
export interface ConnectionState {
  connected(): boolean;
}

const runbookBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const ackBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5, 10];

/** maintbot's metrics in prom-client, on a registry of its own (never the global one). */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'command' | 'outcome'>;
  private readonly runbooks: Histogram<'runbook' | 'result'>;
  private readonly approvals: Counter<'outcome'>;
  private readonly checks: Gauge<'target' | 'check'>;
  private readonly acks: Histogram<'platform'>;
  private chats: () => Iterable<[string, ConnectionState]> = () => [];

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

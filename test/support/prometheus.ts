import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { eventually, freePort } from './services.js';

/** A process of the test's own (Prometheus, Alertmanager) on a free port, with its folder. */
export interface OwnProcess {
  port: number;
  url: string;
  /** What it printed, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `command` with `args(dir, port)`, waits until `/-/ready` answers 200; `stop()` ends it and removes its folder. */
async function startOwn(name: string, command: string, files: Record<string, unknown>, args: (dir: string, port: number) => string[]): Promise<OwnProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `maintbot-${name}-`));
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(dir, file), stringify(content));
  const port = await freePort();
  const child: ChildProcess = spawn(command, args(dir, port), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await eventually(`${name} to be ready on ${url}`, async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
      const response = await fetch(`${url}/-/ready`).catch(() => undefined);
      return response?.status === 200;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, url, output: () => output, stop };
}

/** Starts Debian's prometheus scraping `scrapeTarget` every second, evaluating `rules` every second, sending alerts to the Alertmanager on `alertmanagerPort`. */
export function startOwnPrometheus(options: { scrapeTarget: string; rules: unknown[]; alertmanagerPort: number; targetLabels?: Record<string, string> }): Promise<OwnProcess> {
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ['rules.yml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${options.alertmanagerPort}`] }] }] },
    scrape_configs: [{ job_name: 'exporter', static_configs: [{ targets: [options.scrapeTarget], labels: options.targetLabels ?? {} }] }],
  };
  return startOwn('prometheus', 'prometheus', { 'prometheus.yml': config, 'rules.yml': { groups: [{ name: 'e2e', rules: options.rules }] } }, (dir, port) => [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
}

/** Starts Debian's prometheus-alertmanager (no cluster) with one webhook receiver posting every group after 1 s, resolved ones too. */
export function startOwnAlertmanager(options: { webhookUrl: string; token: string }): Promise<OwnProcess> {
  const config = {
    global: { resolve_timeout: '1m' },
    route: { receiver: 'maintbot', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
    receivers: [{ name: 'maintbot', webhook_configs: [{ url: options.webhookUrl, send_resolved: true, http_config: { authorization: { credentials: options.token } } }] }],
  };
  return startOwn('alertmanager', 'prometheus-alertmanager', { 'alertmanager.yml': config }, (dir, port) => [
    `--config.file=${path.join(dir, 'alertmanager.yml')}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ]);
}

/** A tiny exporter: `/metrics` serves `test_gauge` with the value `set` gave it last (0 at first). */
export interface GaugeExporter {
  /** `host:port`, as a scrape target. */
  target: string;
  set(value: number): void;
  close(): Promise<void>;
}

/** Starts the exporter on a free port. */
export async function startGaugeExporter(): Promise<GaugeExporter> {
  let value = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`# HELP test_gauge A gauge the test flips\n# TYPE test_gauge gauge\ntest_gauge ${value}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (next) => void (value = next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProbeFinding } from '../../src/core/finding.js';
import { TargetUnreachable } from '../../src/core/probe.js';
import { createHttpProbe, httpTargetSchema } from '../../src/systems/http/probe.js';
import { createTlsProbe, tlsTargetSchema } from '../../src/systems/tls/probe.js';
import { freePort } from '../support/services.js';

const run = promisify(execFile);

interface KeyPair {
  key: string;
  cert: string;
}

async function selfSignedCertificate(dir: string, days: number): Promise<KeyPair> {
  const keyFile = path.join(dir, `${days}.key`);
  const certFile = path.join(dir, `${days}.crt`);
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', String(days),
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function close(server: net.Server): Promise<void> {
  if ('closeAllConnections' in server) (server as http.Server).closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

function lineOf(lines: ProbeFinding[], label: string): ProbeFinding {
  const line = lines.find((candidate) => candidate.label === label);
  if (!line) throw new Error(`no "${label}" line in ${JSON.stringify(lines)}`);
  return line;
}

function httpProbe(config: Record<string, unknown>) {
  return createHttpProbe(httpTargetSchema.parse({ name: 'api', ...config }));
}

function tlsProbe(config: Record<string, unknown>) {
  return createTlsProbe(tlsTargetSchema.parse({ name: 'site', host: '127.0.0.1', ...config }));
}

const signal = (): AbortSignal => AbortSignal.timeout(5_000);

describe('http probe against a local server', () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const reply = (status: number, body: string): void => {
        response.writeHead(status, { 'content-type': 'text/plain' }).end(body);
      };
      if (request.url === '/healthy') reply(200, 'status: healthy');
      else if (request.url === '/broken') reply(500, 'database down');
      else if (request.url === '/slow') setTimeout(() => reply(200, 'status: healthy'), 300);
      else if (request.url === '/degraded') reply(200, 'status: degraded\n  queue: stuck');
      else if (request.url === '/empty') reply(204, '');
      else if (request.url !== '/hang') reply(404, 'not found');
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });

  afterAll(() => close(server));

  it('is ok when the status, latency and body are as expected', async () => {
    const lines = await httpProbe({ url: `${base}/healthy`, body_match: 'healthy' }).run(signal());
    expect(lines.map((line) => [line.label, line.status])).toEqual([
      ['status', 'ok'],
      ['latency', 'ok'],
      ['body', 'ok'],
    ]);
    expect(lineOf(lines, 'status').text).toBe('200 OK');
    expect(lineOf(lines, 'latency').threshold).toBe('warn at 2000 ms, crit at 10000 ms');
  });

  it('is critical when the endpoint answers 500', async () => {
    const status = lineOf(await httpProbe({ url: `${base}/broken` }).run(signal()), 'status');
    expect(status).toMatchObject({ status: 'crit', text: '500 Internal Server Error', threshold: 'crit unless 200' });
    expect(status.note).toContain('logs');
  });

  it('accepts any status in an expect_status list', async () => {
    const status = lineOf(await httpProbe({ url: `${base}/empty`, expect_status: [200, 204] }).run(signal()), 'status');
    expect(status).toMatchObject({ status: 'ok', text: '204 No Content', threshold: 'crit unless 200 or 204' });
  });

  it('warns when a slow answer passes latency_warn_ms', async () => {
    const probe = httpProbe({ url: `${base}/slow`, thresholds: { latency_warn_ms: 100, latency_crit_ms: 5_000 } });
    const latency = lineOf(await probe.run(signal()), 'latency');
    expect(latency.status).toBe('warn');
    expect(Number.parseInt(latency.text, 10)).toBeGreaterThanOrEqual(290);
    expect(latency).toMatchObject({ checkId: 'http.latency', measure: { value: expect.closeTo(Number.parseInt(latency.text, 10) / 1000, 2), unit: 'seconds' } });
    expect(latency.threshold).toBe('warn at 100 ms, crit at 5000 ms');
  });

  it('is critical when the body lacks the expected text, and shows how the body starts', async () => {
    const body = lineOf(await httpProbe({ url: `${base}/degraded`, body_match: 'healthy' }).run(signal()), 'body');
    expect(body.status).toBe('crit');
    expect(body.detail).toEqual(['body starts: status: degraded queue: stuck']);
  });

  it('reports a refused connection as unreachable', async () => {
    const port = await freePort();
    const failure = await httpProbe({ url: `http://127.0.0.1:${port}/` }).run(signal()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetUnreachable);
    expect((failure as Error).message).toBe(`connection refused at 127.0.0.1:${port}`);
  });

  it('gives up after its own timeout_ms when the endpoint never answers', async () => {
    const failure = await httpProbe({ url: `${base}/hang`, timeout_ms: 200 }).run(signal()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetUnreachable);
    expect((failure as Error).message).toBe(`no answer from ${new URL(base).host} in 200 ms`);
  });
});

describe('tls and https probes against self-signed certificates made on the fly', () => {
  let dir: string;
  const certificates = new Map<number, KeyPair>();
  const servers: net.Server[] = [];

  async function tlsServerWith(days: number): Promise<number> {
    const pair = certificates.get(days);
    if (!pair) throw new Error(`no certificate for ${days} days`);
    const server = tls.createServer(pair, (socket) => socket.end());
    servers.push(server);
    return listen(server);
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'maintbot-tls-'));
    await Promise.all([5, 20, 400].map(async (days) => certificates.set(days, await selfSignedCertificate(dir, days))));
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    await Promise.all(servers.map(close));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [5, 'crit'],
    [20, 'warn'],
    [400, 'ok'],
  ] as const)('judges a certificate valid for %i days as %s', async (days, expected) => {
    const port = await tlsServerWith(days);
    const lines = await tlsProbe({ port }).run(signal());
    const expiry = lineOf(lines, 'certificate expiry');
    expect(expiry.status).toBe(expected);
    expect(expiry.text).toMatch(new RegExp(`^in ${days - 1} days \\(\\d{4}-\\d{2}-\\d{2}\\)$`));
    expect(expiry).toMatchObject({ checkId: 'tls.expiry', measure: { unit: 'days' } });
    expect(Math.floor(expiry.measure!.value)).toBe(days - 1);
    expect(expiry.threshold).toBe('warn below 30 days, crit below 7 days');
    expect(lineOf(lines, 'certificate').text).toBe('CN=localhost, issued by localhost');
  });

  it('warns that a self-signed chain does not verify while the name still matches', async () => {
    const lines = await tlsProbe({ port: await tlsServerWith(400) }).run(signal());
    const chain = lineOf(lines, 'chain');
    expect(chain.status).toBe('warn');
    expect(chain.text).toBe('not verified (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(lineOf(lines, 'name')).toMatchObject({ status: 'ok', text: 'covers 127.0.0.1' });
  });

  it('warns when the certificate does not cover the servername asked for', async () => {
    const lines = await tlsProbe({ port: await tlsServerWith(400), servername: 'shop.example.org' }).run(signal());
    expect(lineOf(lines, 'name')).toMatchObject({ status: 'warn', text: 'does not cover shop.example.org' });
  });

  it('is critical once the certificate has expired', async () => {
    const port = await tlsServerWith(5);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 8 * 86_400_000);
    const expiry = lineOf(await tlsProbe({ port }).run(signal()), 'certificate expiry');
    expect(expiry.status).toBe('crit');
    expect(expiry.text).toMatch(/^expired 3 days ago \(\d{4}-\d{2}-\d{2}\)$/);
  });

  it('reports a port that does not speak TLS as unreachable', async () => {
    const plain = http.createServer((_request, response) => response.end('plain'));
    servers.push(plain);
    const port = await listen(plain);
    const failure = await tlsProbe({ port }).run(signal()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetUnreachable);
    expect((failure as Error).message).toMatch(new RegExp(`at 127\\.0\\.0\\.1:${port}$`));
  });

  it('reports an https endpoint with an untrusted certificate as unreachable, naming the certificate', async () => {
    const pair = certificates.get(400);
    if (!pair) throw new Error('no certificate');
    const server = https.createServer(pair, (_request, response) => response.end('ok'));
    servers.push(server);
    const port = await listen(server);
    const failure = await httpProbe({ url: `https://127.0.0.1:${port}/` }).run(signal()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetUnreachable);
    expect((failure as Error).message).toBe(`certificate not trusted (self-signed) at 127.0.0.1:${port}`);
  });
});

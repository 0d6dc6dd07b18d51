import { isIP } from 'node:net';
import type { DetailedPeerCertificate } from 'node:tls';

type Tls = typeof import('node:tls');
import { z } from 'zod';
import type { ProbeFinding } from '../../core/finding.js';
import { TargetUnreachable, type Probe } from '../../core/probe.js';
import { checkLimitOrder, judgeLow, lowLimitsText, type LimitPair } from '../../core/judge.js';
import { describeConnectError } from '../../core/network.js';
import { targetNameSchema } from '../../core/target-name.js';
import { targetCommonFields } from '../../core/target-fields.js';

const days = z.number().min(0);

const tlsThresholdsSchema = z
  .object({
    days_warn: days.default(30),
    days_crit: days.default(7),
  })
  .strict();

type TlsThresholds = z.output<typeof tlsThresholdsSchema>;

const limitPairs: readonly LimitPair<TlsThresholds>[] = [['days_warn', 'days_crit', 'lower']];

/** One TLS endpoint whose certificate to check: `targets.tls[]` in the config. */
export const tlsTargetSchema = z
  .object({
    name: targetNameSchema,
    host: z.string().regex(/^[^\s/:]+$|^\[?[0-9a-fA-F:]+\]?$/, 'expected a host name or IP address, without scheme or port'),
    port: z.number().int().min(1).max(65535).default(443),
    servername: z.string().min(1).optional().describe('the name to ask for (SNI) and to verify; defaults to host'),
    optional: z.boolean().default(false),
    ...targetCommonFields,
    thresholds: tlsThresholdsSchema
      .superRefine((thresholds, ctx) =>
        checkLimitOrder(thresholds, limitPairs, (problem) => ctx.addIssue({ code: 'custom', ...problem })),
      )
      .prefault({}),
  })
  .strict();

/** A validated TLS target, defaults filled in. */
export type TlsTarget = z.output<typeof tlsTargetSchema>;

const dayMs = 86_400_000;

/** What the handshake told us about the certificate. */
interface Handshake {
  certificate: DetailedPeerCertificate;
  chainVerified: boolean;
  chainError: string | undefined;
}

/** Checks the certificate served at host:port: days until expiry, whether the chain verifies and the name matches. */
export function createTlsProbe(target: TlsTarget): Probe {
  const host = target.host.replace(/^\[|\]$/g, '');
  const name = target.servername ?? host;
  const address = isIP(host) === 6 ? `[${host}]:${target.port}` : `${host}:${target.port}`;
  return {
    target: target.name,
    system: 'tls',
    optional: target.optional,
    async run(signal) {
      const tls = await import('node:tls');
      const handshake = await handshakeWith(tls, host, target.port, target.servername ?? (isIP(host) ? undefined : host), address, signal);
      const { certificate } = handshake;
      return [
        expiryLine(certificate, target.thresholds),
        chainLine(handshake),
        nameLine(tls, name, certificate),
        certificateLine(certificate),
      ];
    },
  };
}

function handshakeWith(
  tls: Tls,
  host: string,
  port: number,
  servername: string | undefined,
  address: string,
  signal: AbortSignal,
): Promise<Handshake> {
  signal.throwIfAborted();
  return new Promise<Handshake>((resolve, reject) => {
    const socket = tls.connect({ host, port, servername, rejectUnauthorized: false });
    const abort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    const settle = (): void => {
      signal.removeEventListener('abort', abort);
      socket.destroy();
    };
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate(true);
      const chainError = socket.authorizationError;
      settle();
      if (!certificate || Object.keys(certificate).length === 0) {
        reject(new TargetUnreachable(`no certificate presented at ${address}`));
        return;
      }
      resolve({
        certificate,
        chainVerified: socket.authorized,
        chainError: chainError === null || chainError === undefined ? undefined : String(chainError),
      });
    });
    socket.on('error', (error) => {
      settle();
      reject(new TargetUnreachable(describeConnectError(error, address), { cause: error }));
    });
  });
}

function expiryLine(certificate: DetailedPeerCertificate, thresholds: TlsThresholds): ProbeFinding {
  const expires = new Date(certificate.valid_to);
  const daysLeft = (expires.getTime() - Date.now()) / dayMs;
  const limits = { warn: thresholds.days_warn, crit: thresholds.days_crit };
  const threshold = lowLimitsText(limits, ' days');
  const date = expires.toISOString().slice(0, 10);
  const check = { checkId: 'tls.expiry', label: 'certificate expiry', measure: { value: daysLeft, unit: 'days' } } as const;
  if (daysLeft < 0) {
    return {
      ...check,
      status: 'crit',
      text: `expired ${daysAgo(-daysLeft)} (${date})`,
      threshold,
      note: 'clients refuse this endpoint now: renew and deploy the certificate',
    };
  }
  const status = judgeLow(daysLeft, limits);
  const line: ProbeFinding = {
    ...check,
    status,
    text: `in ${Math.floor(daysLeft)} days (${date})`,
    threshold,
  };
  if (status !== 'ok') line.note = 'renew the certificate before clients start refusing it (certbot renew, or your CA)';
  return line;
}

function daysAgo(days: number): string {
  const whole = Math.floor(days);
  return whole === 0 ? 'today' : `${whole} ${whole === 1 ? 'day' : 'days'} ago`;
}

function chainLine(handshake: Handshake): ProbeFinding {
  const threshold = 'warn when the chain does not verify against the system CAs';
  const check = { checkId: 'tls.chain', label: 'chain' };
  if (handshake.chainVerified) return { ...check, status: 'ok', text: 'verified', threshold };
  return {
    ...check,
    status: 'warn',
    text: `not verified (${handshake.chainError ?? 'unknown reason'})`,
    threshold,
    note: 'clients that verify certificates refuse this endpoint: serve the full chain from a trusted CA',
  };
}

function nameLine(tls: Tls, name: string, certificate: DetailedPeerCertificate): ProbeFinding {
  const threshold = 'warn when the certificate does not cover the name';
  const mismatch = tls.checkServerIdentity(name, certificate);
  const check = { checkId: 'tls.name', label: 'name' };
  if (mismatch === undefined) return { ...check, status: 'ok', text: `covers ${name}`, threshold };
  return {
    ...check,
    status: 'warn',
    text: `does not cover ${name}`,
    threshold,
    note: 'clients connecting by this name refuse the certificate: add the name to its subject alternative names',
  };
}

function certificateLine(certificate: DetailedPeerCertificate): ProbeFinding {
  const subject = firstOf(certificate.subject?.CN) ?? 'no common name';
  const issuer = firstOf(certificate.issuer?.CN) ?? firstOf(certificate.issuer?.O) ?? 'unknown issuer';
  return { checkId: 'tls.certificate', status: 'ok', label: 'certificate', text: `CN=${subject}, issued by ${issuer}` };
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Channel } from '../outbound/channels.js';
import type { PostAnswer, PostEndpoint } from '../observability/observability-server.js';
import type { AlertDesk } from './alert-desk.js';
import { alertCheck, parseAlertmanagerPayload } from './alertmanager-payload.js';

/** Where Alertmanager's webhook receiver posts, on the observability port. */
export const alertmanagerIntakePath = '/alerts/alertmanager';

/** What the intake needs: the token, where alerts go, and the desk that judges them. */
export interface AlertmanagerIntakeOptions {
  token: string;
  maxBodyBytes: number;
  desk: Pick<AlertDesk, 'observeExternal'>;
  channels: readonly Channel[];
  /** The time zone of the channels' quiet hours; undefined is this machine's local time. */
  timeZone: string | undefined;
  logger: Logger;
  now?: () => number;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * `POST /alerts/alertmanager`: Alertmanager's webhook (payload version 4) with `Authorization: Bearer <token>`.
 * A wrong or missing token is 401 and a body that is not a payload 400 with the reason, before anything is
 * judged; each alert of a good one goes through the alert desk (see `alertCheck`), and the answer says how
 * many notifications went out. A failure to judge or post is 500, so Alertmanager sends the group again.
 */
export function alertmanagerIntake(options: AlertmanagerIntakeOptions): PostEndpoint {
  const expected = digest(`Bearer ${options.token}`);
  const now = options.now ?? Date.now;
  const refuse = (status: number, error: string, headers?: Record<string, string>): PostAnswer => ({ status, body: { status: 'error', error }, ...(headers ? { headers } : {}) });
  return {
    maxBodyBytes: options.maxBodyBytes,
    authorize(authorization) {
      const given = (authorization ?? '').replace(/^bearer\s+/i, 'Bearer ');
      if (authorization && timingSafeEqual(digest(given), expected)) return undefined;
      options.logger.warn({ path: alertmanagerIntakePath, authorization: authorization ? 'wrong' : 'missing' }, 'alert intake refused: bad token');
      return refuse(401, 'send the token of alerts.intake.token as "Authorization: Bearer <token>" (http_config.authorization.credentials in Alertmanager)', { 'www-authenticate': 'Bearer' });
    },
    async handle(body) {
      const parsed = parseAlertmanagerPayload(body);
      if ('problem' in parsed) {
        options.logger.warn({ path: alertmanagerIntakePath, problem: parsed.problem }, 'alert intake refused: bad payload');
        return refuse(400, parsed.problem);
      }
      const { payload } = parsed;
      if (payload.truncatedAlerts) options.logger.warn({ receiver: payload.receiver, groupKey: payload.groupKey, truncated: payload.truncatedAlerts }, 'Alertmanager left alerts out of a group (max_alerts)');
      const sent = await options.desk.observeExternal(payload.alerts.map(alertCheck), options.channels, options.timeZone, now());
      options.logger.info({ receiver: payload.receiver, groupKey: payload.groupKey, alerts: payload.alerts.length, notifications: sent.length }, 'Alertmanager notification judged');
      return { status: 200, body: { status: 'ok', alerts: payload.alerts.length, notifications: sent.length } };
    },
  };
}

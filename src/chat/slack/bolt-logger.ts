import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const levels: Record<string, LogLevel> = { trace: LogLevel.DEBUG, debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN };

/** Bolt's (and Socket Mode's) own log lines, written to pino with `component: bolt`. */
export function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'bolt' });
  const text = (messages: unknown[]): string => messages.map((item) => (typeof item === 'string' ? item : String(item))).join(' ');
  return {
    debug: (...messages) => log.isLevelEnabled('debug') && log.debug(text(messages)),
    info: (...messages) => log.isLevelEnabled('info') && log.info(text(messages)),
    warn: (...messages) => log.isLevelEnabled('warn') && log.warn(text(messages)),
    error: (...messages) => log.isLevelEnabled('error') && log.error(text(messages)),
    setLevel: () => undefined,
    getLevel: () => levels[log.level] ?? LogLevel.ERROR,
    setName: () => undefined,
  };
}

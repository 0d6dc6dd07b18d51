import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logging/logger.js';

/** A real logger whose JSON records a test can read back. */
export function capturedLogger(level = 'debug'): { logger: Logger; records: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level, pretty: false, destination: sink });
  return {
    logger,
    records: () =>
      lines
        .flatMap((line) => line.split('\n'))
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

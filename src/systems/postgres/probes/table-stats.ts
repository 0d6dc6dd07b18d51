import type { ProbeFinding } from '../../../core/finding.js';
import { formatSeconds } from '../../../render/units.js';

interface Read {
  at: number;
  findings: ProbeFinding[];
}

/**
 * One target's table statistics (dead tuples) per database, as its last runs read them: reported again, with
 * their age, while younger than `everyMs` (`health.table_stats_every`), so a run needs no connection to each
 * database. 0 reads them on every run. A read that failed is never kept.
 */
export class TableStatsCache {
  private readonly reads = new Map<string, Read>();

  constructor(private readonly everyMs: number) {}

  /** The findings of `database` read less than `everyMs` before `now`, each text saying how long ago; undefined when they are due. */
  fresh(database: string, now: number): ProbeFinding[] | undefined {
    const read = this.reads.get(database);
    if (read === undefined || this.everyMs <= 0 || now - read.at >= this.everyMs) return undefined;
    const age = `read ${formatSeconds(Math.max(0, now - read.at) / 1000)} ago`;
    return read.findings.map((finding) => ({ ...finding, text: `${finding.text} (${age})` }));
  }

  /** Keeps what a run read of `database` at `now`, unless a check of it could not be read. */
  remember(database: string, findings: ProbeFinding[], now: number): void {
    if (findings.some((finding) => finding.status === 'unknown')) this.reads.delete(database);
    else this.reads.set(database, { at: now, findings });
  }
}

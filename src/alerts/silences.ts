import { randomBytes } from 'node:crypto';
import { CodedError, UserError } from '../core/errors.js';
import { userText } from '../core/user-text.js';
import type { Store } from '../store/store.js';
import { matchesAll, type AlertLabels, type Matcher } from './matchers.js';
import type { AlertSilencer } from './pipeline.js';

/** One silence as kept in the store: alerts whose labels satisfy every matcher are not posted until `until`. */
export interface Silence {
  id: string;
  /** The matchers without their compiled patterns (`matcherText` shows them as typed). */
  matchers: Omit<Matcher, 'pattern'>[];
  by: string;
  createdAt: number;
  until: number;
  reason?: string;
}

/** What a new silence is made of; the matchers are already parsed. */
export interface NewSilence {
  matchers: readonly Matcher[];
  by: string;
  until: number;
  reason?: string;
}

/** Where the silences live: one key for all, so one read answers whether an alert is covered. */
export const silencesKey = 'alerts:silences';

const maxAttempts = 50;

type SilenceMap = Record<string, Silence>;

/**
 * The silences, in the store (shared by replicas, kept across restarts). All of them sit in one key whose TTL
 * is the longest silence's end, so the key goes away by itself with the last one; a silence past its `until`
 * counts for nothing and is dropped at the next change.
 */
export class SilenceBook implements AlertSilencer {
  constructor(
    private readonly store: Store,
    private readonly newId: () => string = () => randomBytes(2).toString('hex'),
  ) {}

  /** Stores a new silence under a fresh id. */
  async add(silence: NewSilence, now: number): Promise<Silence> {
    const matchers = silence.matchers.map(({ name, operator, value }) => ({ name, operator, value }));
    for (;;) {
      const id = this.newId();
      const made: Silence = { id, matchers, by: silence.by, createdAt: now, until: silence.until, ...(silence.reason ? { reason: silence.reason } : {}) };
      const stored = await this.change(now, (live) => (Object.hasOwn(live, id) ? undefined : { ...live, [id]: made }));
      if (stored) return made;
    }
  }

  /** The silences in force at `now`, the soonest to end first. */
  async active(now: number): Promise<Silence[]> {
    return Object.values(live(await this.store.get<SilenceMap>(silencesKey), now)).sort((a, b) => a.until - b.until);
  }

  /** Ends a silence now; throws `UserError` when there is no such silence in force. */
  async remove(id: string, now: number): Promise<Silence> {
    let removed: Silence | undefined;
    await this.change(now, (current) => {
      removed = Object.hasOwn(current, id) ? current[id] : undefined;
      if (!removed) return undefined;
      const { [id]: _gone, ...rest } = current;
      return rest;
    });
    if (!removed) throw new UserError(`No silence in force has the id ${userText(id)}.`, '/maint silences lists them with their ids');
    return removed;
  }

  async silencing(labels: AlertLabels, now: number): Promise<string | undefined> {
    const covering = (await this.active(now)).find((silence) => matchesAll(silence.matchers.map(compiled), labels));
    return covering && `silence ${covering.id}${covering.reason ? ` (${covering.reason})` : ''}`;
  }

  /**
   * Applies `edit` to the silences in force (undefined: leave the store alone); true when it wrote. The key's TTL
   * follows from the edited set, so the read it was edited from must still be current when it is written.
   */
  private async change(now: number, edit: (live: SilenceMap) => SilenceMap | undefined): Promise<boolean> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const before = await this.store.get<SilenceMap>(silencesKey);
      const next = edit(live(before, now));
      if (next === undefined) return false;
      const ends = Object.values(next).map((silence) => silence.until);
      const ttlMs = Math.max(1, ...ends.map((until) => until - now));
      const written = await this.store.update<SilenceMap, boolean>(
        silencesKey,
        (current) => (JSON.stringify(current) === JSON.stringify(before) ? { value: ends.length > 0 ? next : undefined, result: true } : { value: current, result: false }),
        ttlMs,
      );
      if (written) return true;
    }
    throw new CodedError('STORE_CONTENTION', `could not change ${silencesKey}: too many concurrent writers`);
  }
}

function compiled(matcher: Omit<Matcher, 'pattern'>): Matcher {
  return matcher.operator === '=~' || matcher.operator === '!~' ? { ...matcher, pattern: new RegExp(`^(?:${matcher.value})$`) } : matcher;
}

function live(all: SilenceMap | undefined, now: number): SilenceMap {
  return Object.fromEntries(Object.entries(all ?? {}).filter(([, silence]) => silence.until > now));
}

/** The first of several silencers that covers an alert (silences, then maintenance windows). */
export function firstSilencer(...silencers: readonly AlertSilencer[]): AlertSilencer {
  return {
    async silencing(labels, now) {
      for (const silencer of silencers) {
        const by = await silencer.silencing(labels, now);
        if (by !== undefined) return by;
      }
      return undefined;
    },
  };
}

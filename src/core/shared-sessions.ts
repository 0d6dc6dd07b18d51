import { createHash } from 'node:crypto';
import { untilAborted } from './shared-reads.js';

/** The per-server bound on connections a health run holds (`ServerSlots`); a session or an own connection holds one slot. */
export interface ConnectionSlots {
  take(server: string | undefined, connections?: number): Promise<() => void>;
}

const unbounded: ConnectionSlots = { take: () => Promise.resolve(() => undefined) };

/** How a shared connection is opened and closed. */
export interface SessionKind<C> {
  /** Opens it; `signal` aborts when nobody needs it any more (every user left or timed out). */
  open(signal: AbortSignal): Promise<C>;
  close(connection: C): Promise<void>;
  /**
   * True for an opening failure that is the opener's own (its database is missing, say), not the server's: the
   * users who were waiting on it then open the session again themselves instead of reporting the opener's error.
   */
  ownFailure?(error: unknown): boolean;
}

interface Session {
  opened: Promise<unknown>;
  ready: boolean;
  users: number;
  /** Aborts an opening nobody waits for any more. */
  controller: AbortController;
  /** Resolves when the last user left. */
  unused: Promise<void>;
  leftByAll: () => void;
  kind: SessionKind<unknown>;
}

/**
 * The connections the probes of one health run share: one per server, user and password (`sessionKey`),
 * opened by the first probe that needs it while it holds one of the server's slots, used by every probe of
 * the run with the same key, and closed when its last user is done (at the latest when all of them are).
 * Probes also open connections of their own (to one database) through `own`, which holds a slot while it runs.
 * A probe never waits for a slot while it uses a session, so a bound of one connection per server cannot lock.
 *
 * @example
 * const rows = await sessions.use(key, 'postgres h:5432', { open, close }, (client) => client.query(sql), signal);
 */
export class SharedSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly slots: ConnectionSlots = unbounded) {}

  /**
   * Runs `work` on the session named `key` to `server`, opening it when no user of the run holds it. A session
   * that could not be opened fails every user waiting on it with the same error (the server is down for all),
   * unless `kind.ownFailure` says the failure was the opener's own. Rejects with `signal`'s reason as soon as
   * `signal` aborts; the session stays open for the others.
   */
  async use<C, T>(key: string, server: string | undefined, kind: SessionKind<C>, work: (connection: C) => Promise<T>, signal: AbortSignal): Promise<T> {
    for (;;) {
      signal.throwIfAborted();
      const existing = this.sessions.get(key);
      const session = existing ?? this.open(key, server, kind as SessionKind<unknown>);
      session.users += 1;
      try {
        let connection: C;
        try {
          connection = (await untilAborted(session.opened, signal)) as C;
        } catch (error) {
          signal.throwIfAborted();
          if (existing === undefined || !session.kind.ownFailure?.(error)) throw error;
          continue;
        }
        return await untilAborted(work(connection), signal);
      } finally {
        this.leave(key, session);
      }
    }
  }

  /** Runs `work` while holding one of `server`'s slots, for a connection of the caller's own that `work` opens and closes. */
  async own<T>(server: string | undefined, work: () => Promise<T>): Promise<T> {
    const free = await this.slots.take(server);
    try {
      return await work();
    } finally {
      free();
    }
  }

  /** Resolves once every session that was closed has finished closing, so its slot is free and the server has let go. */
  async settled(): Promise<void> {
    while (this.closing.size > 0) await Promise.all(this.closing);
  }

  private open(key: string, server: string | undefined, kind: SessionKind<unknown>): Session {
    const controller = new AbortController();
    let leftByAll = (): void => undefined;
    const unused = new Promise<void>((resolve) => {
      leftByAll = resolve;
    });
    const session: Session = { users: 0, ready: false, controller, unused, leftByAll, kind, opened: Promise.resolve() };
    session.opened = (async () => {
      const free = await this.slots.take(server);
      try {
        controller.signal.throwIfAborted();
        const connection = await kind.open(controller.signal);
        session.ready = true;
        this.whenClosed(session, connection, free);
        return connection;
      } catch (error) {
        free();
        if (this.sessions.get(key) === session && kind.ownFailure?.(error)) this.sessions.delete(key);
        throw error;
      }
    })();
    session.opened.catch(() => undefined);
    this.sessions.set(key, session);
    return session;
  }

  private whenClosed(session: Session, connection: unknown, free: () => void): void {
    const closed = session.unused
      .then(() => session.kind.close(connection))
      .catch(() => undefined)
      .finally(() => {
        free();
        this.closing.delete(closed);
      });
    this.closing.add(closed);
  }

  private leave(key: string, session: Session): void {
    session.users -= 1;
    if (session.users > 0) return;
    if (this.sessions.get(key) === session) this.sessions.delete(key);
    session.leftByAll();
    if (!session.ready) session.controller.abort(new Error('the health run no longer needs this connection'));
  }
}

/**
 * The key of a shared session: who reads the server (`serverReader`: scheme, user, address, parameters) and a
 * hash of the password, so targets with other credentials never share a connection, and no password is kept.
 */
export function sessionKey(reader: string, url: string): string {
  let password: string;
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    password = '';
  }
  return `${reader} ${createHash('sha256').update(password).digest('hex').slice(0, 16)}`;
}

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { EventLog } from './event-log.js';
import type { GatewayPayload, JsonObject, JsonValue } from './types.js';

/** Gateway opcodes the fake speaks. */
export const GatewayOp = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  Resume: 6,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

const AUTHENTICATION_FAILED = 4004;

/** A frame the client sent, stamped with its arrival time. */
export interface ReceivedFrame extends GatewayPayload {
  at: number;
}

/** How the gateway greets and introduces itself. */
export interface GatewayConfig {
  heartbeatIntervalMs: number;
  /** When set, IDENTIFY with another token is closed with 4004. */
  token: string | undefined;
  /** READY data for a new session (without `session_id`, which the gateway adds). */
  readyData: () => JsonObject;
  guildCreates: () => JsonObject[];
}

interface Session {
  id: string;
  seq: number;
  history: Array<{ s: number; t: string; d: JsonValue }>;
  socket: WebSocket | null;
  ended: boolean;
}

interface Connection {
  socket: WebSocket;
  session: Session | undefined;
}

function asObject(value: JsonValue): Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

/** The gateway WebSocket: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with replay. */
export class FakeGateway {
  readonly received = new EventLog<ReceivedFrame>();
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, Session>();
  readonly #connections = new Set<Connection>();
  #current: Session | undefined;

  constructor(private readonly config: GatewayConfig) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
  }

  /** Sends a dispatch on the current session; it is kept for replay if the socket is down. */
  dispatch(event: string, data: JsonValue): void {
    const session = this.#current;
    if (!session || session.ended) {
      throw new Error(`fake Discord: cannot dispatch ${event}, no client has identified on the gateway`);
    }
    const s = ++session.seq;
    session.history.push({ s, t: event, d: data });
    if (session.socket?.readyState === WebSocket.OPEN) {
      this.#send(session.socket, { op: GatewayOp.Dispatch, t: event, s, d: data });
    }
  }

  /** Cuts the current session's socket without a close frame (the client sees 1006). */
  async drop(): Promise<void> {
    const socket = this.#current?.socket;
    if (!socket) throw new Error('fake Discord: no connected gateway session to drop');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.terminate();
    await closed;
  }

  async close(): Promise<void> {
    for (const connection of this.#connections) connection.socket.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.received.abandonWaits('fake Discord closed');
  }

  #accept(socket: WebSocket): void {
    const connection: Connection = { socket, session: undefined };
    this.#connections.add(connection);
    socket.on('message', (raw) => this.#onFrame(connection, raw.toString()));
    socket.on('close', (code) => this.#onClose(connection, code));
    socket.on('error', () => socket.terminate());
    this.#send(socket, { op: GatewayOp.Hello, d: { heartbeat_interval: this.config.heartbeatIntervalMs } });
  }

  #onFrame(connection: Connection, text: string): void {
    const frame = JSON.parse(text) as GatewayPayload;
    this.received.push({ op: frame.op, d: frame.d ?? null, at: Date.now() });
    switch (frame.op) {
      case GatewayOp.Heartbeat:
        this.#send(connection.socket, { op: GatewayOp.HeartbeatAck, d: null });
        return;
      case GatewayOp.Identify:
        this.#identify(connection, asObject(frame.d));
        return;
      case GatewayOp.Resume:
        this.#resume(connection, asObject(frame.d));
        return;
      default:
        return;
    }
  }

  #identify(connection: Connection, identify: Record<string, JsonValue>): void {
    if (this.config.token !== undefined && identify.token !== this.config.token) {
      connection.socket.close(AUTHENTICATION_FAILED, 'Authentication failed.');
      return;
    }
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, history: [], socket: null, ended: false };
    this.#sessions.set(session.id, session);
    this.#attach(connection, session);
    this.dispatch('READY', { ...this.config.readyData(), session_id: session.id });
    for (const guild of this.config.guildCreates()) this.dispatch('GUILD_CREATE', guild);
  }

  #resume(connection: Connection, resume: Record<string, JsonValue>): void {
    const session = typeof resume.session_id === 'string' ? this.#sessions.get(resume.session_id) : undefined;
    if (!session || session.ended) {
      this.#send(connection.socket, { op: GatewayOp.InvalidSession, d: false });
      return;
    }
    this.#attach(connection, session);
    const lastSeen = typeof resume.seq === 'number' ? resume.seq : 0;
    for (const missed of session.history.filter((event) => event.s > lastSeen)) {
      this.#send(connection.socket, { op: GatewayOp.Dispatch, ...missed });
    }
    this.dispatch('RESUMED', {});
  }

  #attach(connection: Connection, session: Session): void {
    if (session.socket && session.socket !== connection.socket) session.socket.terminate();
    session.socket = connection.socket;
    connection.session = session;
    this.#current = session;
  }

  #onClose(connection: Connection, code: number): void {
    this.#connections.delete(connection);
    const session = connection.session;
    if (!session || session.socket !== connection.socket) return;
    session.socket = null;
    if (code === 1000 || code === 1001) session.ended = true;
  }

  #send(socket: WebSocket, payload: GatewayPayload): void {
    socket.send(JSON.stringify({ s: null, t: null, ...payload }));
  }
}

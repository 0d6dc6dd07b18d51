import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { IdSequence } from './ids.js';
import { Journal } from './journal.js';
import { isJsonObject } from './request-body.js';
import type { JsonObject, SocketModeAck } from './types.js';
import type { Workspace } from './workspace.js';

const SOCKET_PATH = '/link/';

interface PendingAck {
  resolve(ack: SocketModeAck): void;
}

interface Connection {
  socket: WebSocket;
  closed: Promise<void>;
}

/** An acked envelope, as `SocketModeServer.deliver` resolves it. */
export interface AckedEnvelope {
  envelopeId: string;
  ack: SocketModeAck;
  ackMs: number;
}

/** Slack's Socket Mode side: hands out single-use socket URLs, says hello, delivers envelopes and awaits acks. */
export class SocketModeServer {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly ticketIds = new IdSequence('ticket-');
  private readonly envelopeIds = new IdSequence('envelope-');
  private readonly connections = new Set<Connection>();
  private readonly hellos = new Journal<number>((n) => `connection #${n}`);
  private readonly pendingAcks = new Map<string, PendingAck>();

  constructor(private readonly workspace: Workspace) {}

  /** A fresh `ws://` URL for `apps.connections.open`. */
  issueUrl(baseUrl: string): string {
    const ticket = this.ticketIds.next();
    this.tickets.add(ticket);
    return `${baseUrl.replace(/^http/, 'ws')}${SOCKET_PATH}?ticket=${ticket}&app_id=${this.workspace.appId}`;
  }

  /** Accepts an HTTP upgrade carrying an issued ticket; refuses any other. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== SOCKET_PATH || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.server.handleUpgrade(request, socket, head, (webSocket) => this.accept(webSocket));
  }

  connectionCount(): number {
    return this.hellos.all().length;
  }

  openConnectionCount(): number {
    return this.openSockets().length;
  }

  async waitForConnections(n: number, timeoutMs: number): Promise<void> {
    await this.hellos.waitFor((count) => count >= n, timeoutMs, `Socket Mode connection #${n}`);
  }

  /**
   * Sends an envelope on the newest open connection and resolves with its ack. While the app is between
   * connections (a reconnect on a loaded machine), it waits for the next one, as Slack retries delivery.
   */
  async deliver(type: string, payload: JsonObject, acceptsResponsePayload: boolean): Promise<AckedEnvelope> {
    const socket = this.openSockets().at(-1) ?? (await this.nextOpenSocket(type));
    const envelopeId = this.envelopeIds.next();
    const timeoutMs = this.workspace.ackTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(envelopeId);
        reject(new Error(`No ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const sentAt = performance.now();
      this.pendingAcks.set(envelopeId, {
        resolve: (ack) => {
          clearTimeout(timer);
          resolve({ envelopeId, ack, ackMs: performance.now() - sentAt });
        },
      });
      socket.send(JSON.stringify({ envelope_id: envelopeId, payload, type, accepts_response_payload: acceptsResponsePayload }));
    });
  }

  private async nextOpenSocket(type: string): Promise<WebSocket> {
    const seen = this.connectionCount();
    await this.hellos.waitFor((count) => count > seen, this.workspace.ackTimeoutMs, `a Socket Mode connection to send a ${type} envelope on`);
    const socket = this.openSockets().at(-1);
    if (socket === undefined) throw new Error(`No open Socket Mode connection to send a ${type} envelope on`);
    return socket;
  }

  /** Asks every open connection to reconnect, as Slack does before recycling a server. */
  disconnect(reason: string): void {
    const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } });
    for (const socket of this.openSockets()) socket.send(message);
  }

  /** Destroys every connection without a close frame and waits until the server side has closed. */
  async drop(): Promise<void> {
    const connections = [...this.connections];
    for (const { socket } of connections) socket.terminate();
    await Promise.all(connections.map(({ closed }) => closed));
  }

  /**
   * Waits up to `graceMs` for every connection to finish closing (Bolt's `app.stop()` resolves
   * before its close handshake does), destroys the rest, then closes the WebSocket server.
   */
  async close(graceMs: number): Promise<void> {
    const allClosed = Promise.all([...this.connections].map(({ closed }) => closed));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([allClosed, graceOver]);
    clearTimeout(timer);
    await this.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const connection: Connection = { socket, closed };
    this.connections.add(connection);
    void closed.then(() => this.connections.delete(connection));
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('error', () => socket.terminate());
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.openConnectionCount(),
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.workspace.appId },
      }),
      () => this.hellos.add(this.connectionCount() + 1),
    );
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      return;
    }
    if (!isJsonObject(message) || typeof message.envelope_id !== 'string') return;
    const pending = this.pendingAcks.get(message.envelope_id);
    if (pending === undefined) return;
    this.pendingAcks.delete(message.envelope_id);
    pending.resolve(message as SocketModeAck);
  }

  private openSockets(): WebSocket[] {
    return [...this.connections].map(({ socket }) => socket).filter((socket) => socket.readyState === WebSocket.OPEN);
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

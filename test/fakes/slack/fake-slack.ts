import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IdSequence, TsClock } from './ids.js';
import { briefJson, Journal } from './journal.js';
import { appHomeOpenedPayload, blockActionPayload, homeActionPayload, slashCommandPayload, type PayloadContext } from './payloads.js';
import { parseBody, readText } from './request-body.js';
import { postSignedForm, unixSeconds } from './signed-http.js';
import { SocketModeServer } from './socket-mode.js';
import type {
  AppHomeOpenedFields,
  BlockActionFields,
  HomeActionFields,
  PublishedView,
  DeliveredEnvelope,
  FakeSlack,
  FakeSlackOptions,
  JsonObject,
  RecordedCall,
  ResponseUrlPost,
  SignedPostOptions,
  SignedPostResult,
  SlashCommandFields,
  WebApiResponder,
} from './types.js';
import { WebApi } from './web-api.js';
import { resolveWorkspace, type Workspace } from './workspace.js';

const API_PREFIX = '/api/';
const RESPONSE_PREFIX = '/response/';
const SOCKET_CLOSE_GRACE_MS = 1000;

/** Starts a fake Slack on 127.0.0.1 on a random port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const fake = new RunningFakeSlack(resolveWorkspace(options));
  await fake.listen();
  return fake;
}

class RunningFakeSlack implements FakeSlack {
  private readonly server: Server;
  private readonly socketMode: SocketModeServer;
  private readonly webApi: WebApi;
  private readonly callLog = new Journal<RecordedCall>((call) => `${call.method} ${briefJson(call.body)}`);
  private readonly responseLog = new Journal<ResponseUrlPost>((post) => `${post.id} ${briefJson(post.body)}`);
  private readonly responders = new Map<string, WebApiResponder>();
  private readonly responseIds = new IdSequence('response-');
  private readonly triggerIds = new IdSequence('trigger-');
  private readonly actionClock = new TsClock();
  private readonly eventIds = new IdSequence('Ev0FAKE');
  private sequence = 0;
  private port = 0;

  constructor(private readonly workspaceSettings: Workspace) {
    this.socketMode = new SocketModeServer(workspaceSettings);
    this.webApi = new WebApi(workspaceSettings, () => this.socketMode.issueUrl(this.baseUrl));
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
      });
    });
    this.server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => this.socketMode.handleUpgrade(request, socket, head));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get apiUrl(): string {
    return `${this.baseUrl}${API_PREFIX}`;
  }

  get workspace(): FakeSlack['workspace'] {
    const { teamId, teamDomain, appId, botUserId, botId, botName } = this.workspaceSettings;
    return { teamId, teamDomain, appId, botUserId, botId, botName };
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  calls(method?: string): RecordedCall[] {
    const all = this.callLog.all();
    return method === undefined ? all : all.filter((call) => call.method === method);
  }

  waitForCall(method: string, predicate?: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall> {
    return this.callLog.waitFor(
      (call) => call.method === method && (predicate === undefined || predicate(call)),
      timeoutMs ?? this.workspaceSettings.waitTimeoutMs,
      `a ${method} call${predicate === undefined ? '' : ' matching the predicate'}`,
    );
  }

  respondTo(method: string, responder: WebApiResponder): void {
    this.responders.set(method, responder);
  }

  messages(channel?: string): ReturnType<FakeSlack['messages']> {
    return this.webApi.messages(channel);
  }

  responseUrl(id: string = this.responseIds.next()): string {
    return `${this.baseUrl}${RESPONSE_PREFIX}${encodeURIComponent(id)}`;
  }

  responses(id?: string): ResponseUrlPost[] {
    const all = this.responseLog.all();
    return id === undefined ? all : all.filter((post) => post.id === id);
  }

  waitForResponse(id?: string, predicate?: (post: ResponseUrlPost) => boolean, timeoutMs?: number): Promise<ResponseUrlPost> {
    return this.responseLog.waitFor(
      (post) => (id === undefined || post.id === id) && (predicate === undefined || predicate(post)),
      timeoutMs ?? this.workspaceSettings.waitTimeoutMs,
      `a response_url post${id === undefined ? '' : ` to ${id}`}`,
    );
  }

  connectionCount(): number {
    return this.socketMode.connectionCount();
  }

  openConnectionCount(): number {
    return this.socketMode.openConnectionCount();
  }

  waitForConnections(n: number, timeoutMs?: number): Promise<void> {
    return this.socketMode.waitForConnections(n, timeoutMs ?? this.workspaceSettings.waitTimeoutMs * 2);
  }

  sendSlashCommand(fields: SlashCommandFields): Promise<DeliveredEnvelope> {
    const { context, responseUrlId } = this.payloadContext(fields.response_url);
    return this.sendEnvelope('slash_commands', slashCommandPayload(fields, context), true, responseUrlId);
  }

  sendBlockAction(fields: BlockActionFields = {}): Promise<DeliveredEnvelope> {
    const { payload, responseUrlId } = this.blockAction(fields);
    return this.sendEnvelope('interactive', payload, false, responseUrlId);
  }

  sendAppHomeOpened(fields: AppHomeOpenedFields = {}): Promise<DeliveredEnvelope> {
    const { context } = this.payloadContext(undefined);
    const view = this.webApi.homeView(fields.user_id ?? 'U0ALICE');
    return this.sendEnvelope('events_api', appHomeOpenedPayload(fields, view, { ...context, eventId: this.eventIds.next() }), false);
  }

  async sendHomeAction(fields: HomeActionFields): Promise<DeliveredEnvelope> {
    const userId = fields.user_id ?? 'U0ALICE';
    const view = this.webApi.homeView(userId);
    if (view === undefined) throw new Error(`nothing was published to the App Home of ${userId}`);
    const button = homeButton(view.blocks, fields.button_text);
    if (button === undefined) throw new Error(`no button '${fields.button_text}' on the App Home of ${userId}: ${briefJson({ blocks: view.blocks })}`);
    const { context } = this.payloadContext(undefined);
    return this.sendEnvelope('interactive', homeActionPayload({ ...fields, user_id: userId }, view, button, context), false);
  }

  homeView(userId: string): PublishedView | undefined {
    return this.webApi.homeView(userId);
  }

  async sendEnvelope(type: string, payload: JsonObject, acceptsResponsePayload: boolean, responseUrlId = ''): Promise<DeliveredEnvelope> {
    const acked = await this.socketMode.deliver(type, payload, acceptsResponsePayload);
    return { ...acked, payload, responseUrlId };
  }

  disconnect(reason = 'refresh_requested'): void {
    this.socketMode.disconnect(reason);
  }

  dropSocket(): Promise<void> {
    return this.socketMode.drop();
  }

  async postSignedSlashCommand(
    url: string,
    signingSecret: string,
    fields: SlashCommandFields,
    options: SignedPostOptions = {},
  ): Promise<SignedPostResult> {
    const { context, responseUrlId } = this.payloadContext(fields.response_url);
    const payload = slashCommandPayload(fields, context);
    const answer = await this.postSigned(url, signingSecret, new URLSearchParams(payload).toString(), options);
    return { ...answer, payload, responseUrlId };
  }

  async postSignedBlockAction(
    url: string,
    signingSecret: string,
    fields: BlockActionFields = {},
    options: SignedPostOptions = {},
  ): Promise<SignedPostResult> {
    const { payload, responseUrlId } = this.blockAction(fields);
    const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const answer = await this.postSigned(url, signingSecret, rawBody, options);
    return { ...answer, payload, responseUrlId };
  }

  reset(): void {
    this.callLog.clear();
    this.responseLog.clear();
    this.responders.clear();
  }

  async close(): Promise<void> {
    await this.socketMode.close(SOCKET_CLOSE_GRACE_MS);
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error === undefined ? resolve() : reject(error)));
      this.server.closeAllConnections();
    });
  }

  private postSigned(url: string, signingSecret: string, rawBody: string, options: SignedPostOptions) {
    const secret = options.badSignature === true ? `${signingSecret}-not` : signingSecret;
    return postSignedForm(url, secret, rawBody, options.timestamp ?? unixSeconds());
  }

  private blockAction(fields: BlockActionFields): { payload: JsonObject; responseUrlId: string } {
    const { context, responseUrlId } = this.payloadContext(fields.response_url);
    const channel = fields.channel_id ?? 'C0OPS';
    const ts = this.webApi.ensureMessage(channel, fields.message_ts, fields.message_text, fields.message_blocks);
    const stored = this.webApi.messages(channel).find((message) => message.ts === ts);
    const message = { ts, text: stored?.text, blocks: stored?.blocks };
    return { payload: blockActionPayload(fields, message, context), responseUrlId };
  }

  private payloadContext(givenResponseUrl: string | undefined): { context: PayloadContext; responseUrlId: string } {
    const responseUrlId = givenResponseUrl === undefined ? this.responseIds.next() : this.responseIdOf(givenResponseUrl);
    return {
      responseUrlId,
      context: {
        workspace: this.workspaceSettings,
        responseUrl: givenResponseUrl ?? this.responseUrl(responseUrlId),
        triggerId: this.triggerIds.next(),
        actionTs: this.actionClock.next(),
      },
    };
  }

  private responseIdOf(url: string): string {
    const prefix = `${this.baseUrl}${RESPONSE_PREFIX}`;
    return url.startsWith(prefix) ? decodeURIComponent(url.slice(prefix.length)) : '';
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    if (url.pathname.startsWith(API_PREFIX)) {
      await this.answerWebApi(url, request, response);
    } else if (url.pathname.startsWith(RESPONSE_PREFIX) && request.method === 'POST') {
      await this.recordResponsePost(decodeURIComponent(url.pathname.slice(RESPONSE_PREFIX.length)), request, response);
    } else {
      sendJson(response, 404, { ok: false, error: 'unknown_path' });
    }
  }

  private async answerWebApi(url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = url.pathname.slice(API_PREFIX.length);
    const contentType = request.headers['content-type'] ?? '';
    const body = { ...Object.fromEntries(url.searchParams), ...parseBody(await readText(request), contentType) };
    const token = bearerToken(request.headers.authorization) ?? (typeof body.token === 'string' ? body.token : undefined);
    const received = { method, body, contentType, token, at: Date.now() };
    const answer = this.responders.get(method)?.(received) ?? this.webApi.answer({ method, body, token });
    this.sequence += 1;
    this.callLog.add({ ...received, seq: this.sequence, response: answer });
    sendJson(response, 200, answer);
  }

  private async recordResponsePost(id: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = parseBody(await readText(request), request.headers['content-type'] ?? '');
    this.sequence += 1;
    this.responseLog.add({
      seq: this.sequence,
      id,
      body,
      responseType: body.response_type === 'in_channel' ? 'in_channel' : 'ephemeral',
      replaceOriginal: body.replace_original === true || body.replace_original === 'true',
      deleteOriginal: body.delete_original === true || body.delete_original === 'true',
      at: Date.now(),
    });
    sendJson(response, 200, { ok: true });
  }
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}

function sendJson(response: ServerResponse, status: number, body: JsonObject): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
  response.end(json);
}

/** The button with this text among a view's actions blocks (and section accessories), with what a click sends. */
function homeButton(blocks: unknown[], text: string): { action_id: string; value: string; block_id: string } | undefined {
  for (const [index, block] of blocks.entries()) {
    const { elements, accessory, block_id: blockId } = block as { elements?: unknown[]; accessory?: unknown; block_id?: string };
    for (const element of [...(elements ?? []), ...(accessory ? [accessory] : [])]) {
      const button = element as { type?: string; text?: { text?: string }; action_id?: string; value?: string };
      if (button.type === 'button' && button.text?.text === text) return { action_id: button.action_id ?? '', value: button.value ?? '', block_id: blockId ?? `block-${index}` };
    }
  }
  return undefined;
}

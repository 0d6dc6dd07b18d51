import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventLog } from './event-log.js';
import { DISCORD_FIXTURE, defaultBotUser, defaultGuild, guildCreateJson, userJson } from './fixtures.js';
import { FakeGateway, GatewayOp, type ReceivedFrame } from './gateway.js';
import {
  autocompletePayload,
  buttonPayload,
  chatCommandPayload,
  type AutocompleteInput,
  type ButtonInput,
  type ChatCommandInput,
  type InteractionContext,
  type InteractionRecord,
  type SentInteraction,
} from './interactions.js';
import { MessageFlag, MessageStore } from './messages.js';
import { FakeRest, type RestState } from './rest.js';
import { InteractionSigner, type HttpAnswer, type SignOptions } from './signed-http.js';
import { SnowflakeGenerator } from './snowflake.js';
import type {
  FakeChannel,
  FakeGuild,
  FakeMessage,
  FakeUser,
  JsonObject,
  JsonValue,
  MessageFields,
  RecordedRequest,
} from './types.js';

/** How to shape the fake; every field has a working default (see `DISCORD_FIXTURE`). */
export interface FakeDiscordOptions {
  applicationId?: string;
  applicationFlags?: number;
  botUser?: FakeUser;
  guilds?: FakeGuild[];
  /** HELLO's heartbeat interval; default 1000 ms. */
  heartbeatIntervalMs?: number;
  /** When set, REST calls need `Bot <token>` and IDENTIFY must carry it. */
  token?: string;
  /** Default timeout of every `waitFor…` helper; default 5000 ms. */
  waitTimeoutMs?: number;
}

/** An interaction callback (`POST /interactions/{id}/{token}/callback`) the fake accepted. */
export interface InteractionCallback {
  interactionId: string;
  token: string;
  /** 4 reply, 5 deferred reply, 6 deferred update, 7 update message, 8 autocomplete result. */
  type: number;
  data: MessageFields;
  ephemeral: boolean;
  /** `rest`: the callback endpoint; `http-response`: the answer to the fake's HTTP post of the interaction. */
  via: 'rest' | 'http-response';
  request: RecordedRequest;
}

/** The bot's answer to an interaction the fake posted to it over HTTP. */
export interface HttpDelivery extends HttpAnswer {
  interactionId: string;
}

/** A running fake Discord: REST under `apiBase`, a gateway at `gatewayUrl`, and helpers to drive a bot. */
export interface FakeDiscord {
  /** Pass as `rest.api`; discord.js appends `/v10`. */
  readonly apiBase: string;
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly botUser: FakeUser;
  readonly guilds: readonly FakeGuild[];
  /** The application's Ed25519 public key (64 hex characters), for `DISCORD_PUBLIC_KEY`; the fake holds the private half. */
  readonly publicKey: string;
  /**
   * From now on `sendChatCommand`, `sendButton` and `sendAutocomplete` post each interaction, signed, to these
   * Interactions Endpoint URLs in turn (round robin) instead of dispatching it on the gateway; the bot's answer
   * is applied as the interaction's initial response (see `waitForCallback`), and webhook calls for the
   * interaction wait until it has arrived.
   */
  deliverOverHttp(urls: string | readonly string[]): void;
  /** Posts any body to `url` signed with the application's key (or not, as `options.signature` says) and resolves with the answer. */
  postSigned(url: string, body: JsonValue | string, options?: SignOptions): Promise<HttpAnswer>;
  /** The body `sendChatCommand` would send, built but neither sent nor remembered: for posting by hand with `postSigned`. */
  chatCommandPayload(input?: ChatCommandInput): JsonObject;
  /** Posts Discord's PING (type 1), signed, as the Developer Portal does when the Interactions Endpoint URL is saved. */
  ping(url: string, options?: SignOptions): Promise<HttpAnswer>;
  /** The answers to interactions posted over HTTP so far, in the order they came. */
  httpDeliveries(): HttpDelivery[];
  /** The answer to the interaction `interactionId` posted over HTTP, already received or yet to come. */
  waitForHttpDelivery(interactionId: string, timeoutMs?: number): Promise<HttpDelivery>;
  sendChatCommand(input?: ChatCommandInput): Promise<SentInteraction>;
  sendButton(input: ButtonInput): Promise<SentInteraction>;
  sendAutocomplete(input: AutocompleteInput): Promise<SentInteraction>;
  /** Sends any dispatch event on the gateway (replayed after a RESUME if the socket is down). */
  dispatch(event: string, data: JsonValue): void;
  waitForCallback(interactionId: string, timeoutMs?: number): Promise<InteractionCallback>;
  /** The first edit of the interaction's original response whose body satisfies `predicate`. */
  waitForOriginalEdit(
    token: string,
    predicate?: (body: MessageFields) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  /** `path` is below `/api/v10` and decoded; a string must match exactly, a RegExp is tested. */
  waitForRequest(
    method: string,
    path: string | RegExp,
    predicate?: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  requests(): RecordedRequest[];
  callbacks(): InteractionCallback[];
  /** Commands last registered for a guild, or globally when `guildId` is omitted. */
  registeredCommands(guildId?: string): JsonObject[];
  messages(channelId?: string): FakeMessage[];
  /** The interaction's original response as it stands now. */
  originalMessage(token: string): FakeMessage | undefined;
  /** Frames the client sent on the gateway (heartbeats included). */
  gatewayFrames(): ReceivedFrame[];
  /** Terminates the gateway socket without a close frame; discord.js resumes about 500 ms later. */
  dropGateway(): Promise<void>;
  /** Resolves with the `nth` IDENTIFY (1-based), already received or yet to come. */
  waitForIdentify(nth?: number, timeoutMs?: number): Promise<ReceivedFrame>;
  /** Resolves with the `nth` RESUME (1-based), already received or yet to come. */
  waitForResume(nth?: number, timeoutMs?: number): Promise<ReceivedFrame>;
  close(): Promise<void>;
}

const CALLBACK_PATH = /^\/interactions\/([^/]+)\/([^/]+)\/callback$/;

function describeRequests(requests: readonly RecordedRequest[]): string {
  return requests
    .map((r) => `  ${r.method} ${r.path} -> ${r.status}${r.body === null ? '' : ` ${JSON.stringify(r.body).slice(0, 300)}`}`)
    .join('\n');
}

function describeFrames(frames: readonly ReceivedFrame[]): string {
  return frames.map((f) => `  op ${f.op}`).join('\n');
}

function toCallback(request: RecordedRequest): InteractionCallback {
  const [, interactionId = '', token = ''] = CALLBACK_PATH.exec(request.path) ?? [];
  const body = (request.body ?? {}) as { type?: number; data?: MessageFields };
  const data = body.data ?? {};
  return {
    interactionId,
    token,
    type: body.type ?? -1,
    data,
    ephemeral: Boolean((data.flags ?? 0) & MessageFlag.Ephemeral),
    via: request.via ?? 'rest',
    request,
  };
}

function isAcceptedCallback(request: RecordedRequest): boolean {
  return request.method === 'POST' && CALLBACK_PATH.test(request.path) && request.status < 300;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts a fake Discord on 127.0.0.1 (a free port) for the real discord.js client to talk to. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const applicationId = options.applicationId ?? DISCORD_FIXTURE.applicationId;
  const botUser = options.botUser ?? { ...defaultBotUser(), id: applicationId };
  const guilds = options.guilds ?? [defaultGuild()];
  const waitTimeoutMs = options.waitTimeoutMs ?? 5000;
  const ids = new SnowflakeGenerator();
  const messages = new MessageStore(ids, botUser);
  const interactions = new Map<string, InteractionRecord>();
  const channels = new Map<string, { guildId: string; channel: FakeChannel }>();
  for (const guild of guilds) for (const channel of guild.channels) channels.set(channel.id, { guildId: guild.id, channel });
  const commands = new Map<string, JsonObject[]>();
  let gatewayUrl = '';
  const signer = new InteractionSigner();
  const deliveries = new EventLog<HttpDelivery>();
  let httpTargets: readonly string[] = [];
  let nextTarget = 0;

  const state: RestState = {
    applicationId,
    applicationFlags: options.applicationFlags ?? 0,
    botUser,
    guilds,
    gatewayUrl: () => gatewayUrl,
    token: options.token,
    ids,
    messages,
    interactions,
    channels,
    commands,
  };
  const rest = new FakeRest(state);
  const gateway = new FakeGateway({
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
    token: options.token,
    readyData: () => ({
      v: 10,
      user: { ...userJson(botUser), verified: true, mfa_enabled: false },
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      resume_gateway_url: gatewayUrl,
      shard: [0, 1],
      application: { id: applicationId, flags: options.applicationFlags ?? 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
    }),
    guildCreates: () => guilds.map((guild) => guildCreateJson(guild, botUser)),
  });

  const server = createServer((request, response) => {
    rest.handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 0, message: String(error) }));
    });
  });
  server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));
  const port = await listen(server);
  gatewayUrl = `ws://127.0.0.1:${port}`;

  const context: InteractionContext = {
    applicationId,
    guilds,
    ids,
    channel: (channelId) => channels.get(channelId)?.channel,
    commandId: (name, guildId) => {
      const registered = [...(commands.get(guildId) ?? []), ...(commands.get('global') ?? [])];
      const found = registered.find((command) => command.name === name)?.id;
      return typeof found === 'string' ? found : ids.next();
    },
  };

  function send(payload: JsonObject, componentMessageId?: string): SentInteraction {
    const sent: SentInteraction = {
      id: String(payload.id),
      token: String(payload.token),
      application_id: applicationId,
      type: Number(payload.type),
      payload,
    };
    const record: InteractionRecord = {
      id: sent.id,
      token: sent.token,
      type: sent.type,
      channelId: String(payload.channel_id),
      guildId: String(payload.guild_id),
    };
    if (componentMessageId !== undefined) record.componentMessageId = componentMessageId;
    interactions.set(sent.id, record);
    if (httpTargets.length > 0) record.answered = deliver(record, payload);
    else gateway.dispatch('INTERACTION_CREATE', payload);
    return sent;
  }

  async function deliver(record: InteractionRecord, payload: JsonObject): Promise<void> {
    const url = httpTargets[nextTarget++ % httpTargets.length]!;
    const answer = await signer.post(url, payload);
    const body = answer.body !== null && typeof answer.body === 'object' && !Array.isArray(answer.body) ? answer.body : undefined;
    if (answer.status === 200 && typeof body?.type === 'number') rest.acceptInteractionResponse(record, body);
    deliveries.push({ ...answer, interactionId: record.id });
  }

  function clickedMessage(input: ButtonInput): FakeMessage {
    if (typeof input.message === 'object') return input.message;
    const message =
      input.message === undefined ? messages.latestWithCustomId(input.custom_id) : messages.get(input.message);
    if (!message) {
      throw new Error(`fake Discord: no message ${input.message ?? `with a component "${input.custom_id}"`} to click`);
    }
    return message;
  }

  const waitForRequest: FakeDiscord['waitForRequest'] = (method, path, predicate, timeoutMs = waitTimeoutMs) =>
    rest.requests.waitFor(
      (r) =>
        r.method === method &&
        (typeof path === 'string' ? r.path === path : path.test(r.path)) &&
        (predicate?.(r) ?? true),
      {
        what: `${method} ${String(path)}${predicate ? ' (with predicate)' : ''}`,
        timeoutMs,
        received: () => describeRequests(rest.requests.all()),
      },
    );

  const waitForFrame = (op: number, name: string, nth: number, timeoutMs: number): Promise<ReceivedFrame> =>
    gateway.received.waitFor(
      (frame) => frame.op === op,
      { what: `${name} #${nth} on the gateway`, timeoutMs, received: () => describeFrames(gateway.received.all()) },
      nth,
    );

  return {
    apiBase: `http://127.0.0.1:${port}/api`,
    gatewayUrl,
    applicationId,
    botUser,
    guilds,
    publicKey: signer.publicKey,
    deliverOverHttp: (urls) => {
      httpTargets = typeof urls === 'string' ? [urls] : [...urls];
      nextTarget = 0;
    },
    postSigned: (url, body, signOptions) => signer.post(url, body, signOptions),
    chatCommandPayload: (input = {}) => chatCommandPayload(context, input),
    ping: (url, signOptions) => {
      const id = ids.next();
      const body: JsonObject = { id, application_id: applicationId, type: 1, token: `fake-ping.${id}`, version: 1, user: userJson(botUser) };
      return signer.post(url, body, signOptions);
    },
    httpDeliveries: () => deliveries.all(),
    waitForHttpDelivery: (interactionId, timeoutMs = waitTimeoutMs) =>
      deliveries.waitFor((delivery) => delivery.interactionId === interactionId, {
        what: `the HTTP answer to interaction ${interactionId}`,
        timeoutMs,
        received: () => deliveries.all().map((d) => `  ${d.interactionId} -> ${d.status} ${d.text.slice(0, 200)}`).join('\n'),
      }),
    sendChatCommand: async (input = {}) => send(chatCommandPayload(context, input)),
    sendAutocomplete: async (input) => send(autocompletePayload(context, input)),
    sendButton: async (input) => {
      const message = clickedMessage(input);
      return send(buttonPayload(context, input, message), message.id);
    },
    dispatch: (event, data) => gateway.dispatch(event, data),
    waitForCallback: async (interactionId, timeoutMs = waitTimeoutMs) =>
      toCallback(
        await waitForRequest('POST', CALLBACK_PATH, (r) => isAcceptedCallback(r) && toCallback(r).interactionId === interactionId, timeoutMs),
      ),
    waitForOriginalEdit: (token, predicate, timeoutMs = waitTimeoutMs) =>
      waitForRequest(
        'PATCH',
        `/webhooks/${applicationId}/${token}/messages/@original`,
        (r) => predicate?.((r.body ?? {}) as MessageFields) ?? true,
        timeoutMs,
      ),
    waitForRequest,
    requests: () => rest.requests.all(),
    callbacks: () => rest.requests.all().filter(isAcceptedCallback).map(toCallback),
    registeredCommands: (guildId) => commands.get(guildId ?? 'global') ?? [],
    messages: (channelId) => messages.all(channelId),
    originalMessage: (token) => {
      const id = [...interactions.values()].find((record) => record.token === token)?.originalMessageId;
      return id === undefined ? undefined : messages.get(id);
    },
    gatewayFrames: () => gateway.received.all(),
    dropGateway: () => gateway.drop(),
    waitForIdentify: (nth = 1, timeoutMs = waitTimeoutMs) => waitForFrame(GatewayOp.Identify, 'IDENTIFY', nth, timeoutMs),
    waitForResume: (nth = 1, timeoutMs = waitTimeoutMs) => waitForFrame(GatewayOp.Resume, 'RESUME', nth, timeoutMs),
    close: async () => {
      signer.abortAll();
      deliveries.abandonWaits('fake Discord closed');
      await gateway.close();
      rest.requests.abandonWaits('fake Discord closed');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventLog } from './event-log.js';
import { channelJson, memberJson, userJson } from './fixtures.js';
import type { InteractionRecord } from './interactions.js';
import { MessageFlag, type MessageStore, type MessageOrigin } from './messages.js';
import { parseBody } from './request-body.js';
import type { SnowflakeGenerator } from './snowflake.js';
import type { FakeChannel, FakeGuild, FakeUser, JsonObject, JsonValue, RecordedRequest } from './types.js';

/** Interaction callback types (Discord's numbering). */
export const CallbackType = {
  Reply: 4,
  DeferredReply: 5,
  DeferredUpdate: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
} as const;

/** The state the REST API reads and changes; owned by the fake as a whole. */
export interface RestState {
  applicationId: string;
  applicationFlags: number;
  botUser: FakeUser;
  guilds: readonly FakeGuild[];
  gatewayUrl: () => string;
  token: string | undefined;
  ids: SnowflakeGenerator;
  messages: MessageStore;
  interactions: Map<string, InteractionRecord>;
  channels: Map<string, { guildId: string; channel: FakeChannel }>;
  /** Registered commands by scope: `global` or a guild id. */
  commands: Map<string, JsonObject[]>;
}

interface Reply {
  status: number;
  body?: JsonValue;
}

type Params = Record<string, string>;
type Handler = (params: Params, request: Omit<RecordedRequest, 'status' | 'at'>) => Reply;

const API_PREFIX = /^\/api\/v\d+(?=\/)/;
const UNAUTHENTICATED_PATHS = /^\/(interactions|webhooks)\//;

const ok = (body: JsonValue): Reply => ({ status: 200, body });
const noContent = (): Reply => ({ status: 204 });
const discordError = (status: number, code: number, message: string): Reply => ({ status, body: { code, message } });
const unknownMessage = (): Reply => discordError(404, 10008, 'Unknown Message');
const unknownChannel = (): Reply => discordError(404, 10003, 'Unknown Channel');
const unknownWebhook = (): Reply => discordError(404, 10015, 'Unknown Webhook');

function asObject(value: JsonValue | null): Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function compileRoute(template: string): RegExp {
  const pattern = template.replace(/:(\w+)/g, '(?<$1>[^/]+)');
  return new RegExp(`^${pattern}$`);
}

/** The REST half of the fake: routes, plausible answers, and a log of every request. */
export class FakeRest {
  readonly requests = new EventLog<RecordedRequest>();
  readonly #routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];

  constructor(private readonly state: RestState) {
    this.#route('GET', '/gateway/bot', () => this.#gatewayBot());
    this.#route('GET', '/gateway', () => ok({ url: state.gatewayUrl() }));
    this.#route('GET', '/users/@me', () => ok(userJson(state.botUser)));
    this.#route('GET', '/applications/@me', () => ok(this.#application()));
    this.#route('GET', '/oauth2/applications/@me', () => ok(this.#application()));
    this.#route('PUT', '/applications/:app/commands', (p, r) => this.#setCommands(p, 'global', r.body));
    this.#route('GET', '/applications/:app/commands', () => ok(state.commands.get('global') ?? []));
    this.#route('PUT', '/applications/:app/guilds/:guild/commands', (p, r) => this.#setCommands(p, p.guild!, r.body));
    this.#route('GET', '/applications/:app/guilds/:guild/commands', (p) => ok(state.commands.get(p.guild!) ?? []));
    this.#route('POST', '/interactions/:id/:token/callback', (p, r) => this.#callback(p, r));
    this.#route('POST', '/webhooks/:app/:token', (p, r) => this.#followUp(p, r.body));
    this.#route('GET', '/webhooks/:app/:token/messages/:message', (p) => this.#webhookMessage(p, 'GET', null));
    this.#route('PATCH', '/webhooks/:app/:token/messages/:message', (p, r) => this.#webhookMessage(p, 'PATCH', r.body));
    this.#route('DELETE', '/webhooks/:app/:token/messages/:message', (p) => this.#webhookMessage(p, 'DELETE', null));
    this.#route('GET', '/channels/:channel', (p) => this.#channel(p.channel!));
    this.#route('POST', '/channels/:channel/messages', (p, r) => this.#postMessage(p.channel!, r.body));
    this.#route('GET', '/channels/:channel/messages/:message', (p) => this.#channelMessage(p, 'GET', null));
    this.#route('PATCH', '/channels/:channel/messages/:message', (p, r) => this.#channelMessage(p, 'PATCH', r.body));
    this.#route('DELETE', '/channels/:channel/messages/:message', (p) => this.#channelMessage(p, 'DELETE', null));
    this.#route('POST', '/channels/:channel/messages/:message/threads', (p, r) =>
      this.#startThread(p.channel!, p.message!, r.body),
    );
    this.#route('POST', '/channels/:channel/threads', (p, r) => this.#startThread(p.channel!, undefined, r.body));
    this.#route('GET', '/guilds/:guild/members/:user', (p) => this.#member(p.guild!, p.user!));
  }

  /** Answers one HTTP request and records it. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake.invalid');
    const method = request.method ?? 'GET';
    const prefix = API_PREFIX.exec(url.pathname);
    const path = prefix
      ? url.pathname.slice(prefix[0].length).split('/').map(decodeURIComponent).join('/')
      : url.pathname;
    const parsed = await parseBody(request).catch(() => ({ json: null, files: [] }));
    await this.#answerOf(path);
    const recorded: Omit<RecordedRequest, 'status' | 'at'> = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: parsed.json,
      files: parsed.files,
      authorization: request.headers.authorization ?? null,
    };
    const reply = prefix ? this.#dispatch(recorded) : discordError(404, 0, '404: Not Found');
    this.requests.push({ ...recorded, status: reply.status, at: Date.now() });
    if (reply.body === undefined) {
      response.writeHead(reply.status).end();
      return;
    }
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  }

  /**
   * Applies the bot's answer to an interaction the fake posted over HTTP as Discord does: as its initial
   * response, recorded like a callback (with `via: 'http-response'`).
   */
  acceptInteractionResponse(record: InteractionRecord, body: JsonValue | null): void {
    const recorded: Omit<RecordedRequest, 'status' | 'at'> = {
      method: 'POST',
      path: `/interactions/${record.id}/${record.token}/callback`,
      query: {},
      body,
      files: [],
      authorization: null,
      via: 'http-response',
    };
    const reply = this.#callback({ id: record.id, token: record.token }, recorded);
    this.requests.push({ ...recorded, status: reply.status, at: Date.now() });
  }

  /** A webhook call for an interaction sent over HTTP waits until the bot's answer to it has arrived, as on Discord. */
  async #answerOf(path: string): Promise<void> {
    const token = /^\/webhooks\/[^/]+\/([^/]+)/.exec(path)?.[1];
    if (token === undefined) return;
    await [...this.state.interactions.values()].find((record) => record.token === token)?.answered;
  }

  #route(method: string, template: string, handler: Handler): void {
    this.#routes.push({ method, pattern: compileRoute(template), handler });
  }

  #dispatch(request: Omit<RecordedRequest, 'status' | 'at'>): Reply {
    const token = this.state.token;
    if (token !== undefined && !UNAUTHENTICATED_PATHS.test(request.path) && request.authorization !== `Bot ${token}`) {
      return discordError(401, 0, '401: Unauthorized');
    }
    for (const route of this.#routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (match) return route.handler({ ...match.groups }, request);
    }
    return discordError(404, 0, '404: Not Found');
  }

  #gatewayBot(): Reply {
    return ok({
      url: this.state.gatewayUrl(),
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
    });
  }

  #application(): JsonObject {
    const { applicationId, applicationFlags, botUser } = this.state;
    return {
      id: applicationId,
      name: botUser.username,
      icon: null,
      description: '',
      bot_public: false,
      bot_require_code_grant: false,
      bot: userJson(botUser),
      flags: applicationFlags,
      verify_key: '0'.repeat(64),
      team: null,
      owner: userJson({ id: '1', username: 'owner' }),
      approximate_guild_count: this.state.guilds.length,
    };
  }

  #setCommands(params: Params, scope: string, body: JsonValue | null): Reply {
    if (params.app !== this.state.applicationId) return discordError(403, 50001, 'Missing Access');
    if (!Array.isArray(body)) return discordError(400, 50035, 'Invalid Form Body');
    const previous = this.state.commands.get(scope) ?? [];
    const registered = body.map((command) => {
      const input = asObject(command);
      const existing = previous.find((p) => p.name === input.name);
      const id = typeof existing?.id === 'string' ? existing.id : this.state.ids.next();
      const json: JsonObject = {
        type: 1,
        description: '',
        options: [],
        default_member_permissions: null,
        nsfw: false,
        ...input,
        id,
        application_id: this.state.applicationId,
        version: this.state.ids.next(),
      };
      if (scope !== 'global') json.guild_id = scope;
      return json;
    });
    this.state.commands.set(scope, registered);
    return ok(registered);
  }

  #interactionByToken(params: Params): InteractionRecord | undefined {
    if (params.app !== this.state.applicationId) return undefined;
    return [...this.state.interactions.values()].find((record) => record.token === params.token);
  }

  #origin(record: InteractionRecord, type: number): MessageOrigin {
    return { channelId: record.channelId, guildId: record.guildId, webhookId: this.state.applicationId, type };
  }

  #callback(params: Params, request: Omit<RecordedRequest, 'status' | 'at'>): Reply {
    const record = this.state.interactions.get(params.id!);
    if (!record || record.token !== params.token) return discordError(404, 10062, 'Unknown interaction');
    if (record.callbackType !== undefined) {
      return discordError(400, 40060, 'Interaction has already been acknowledged.');
    }
    const body = asObject(request.body);
    const type = typeof body.type === 'number' ? body.type : -1;
    const data = body.data ?? null;
    const replyType = record.type === 2 ? 20 : 0;
    let message;
    switch (type) {
      case CallbackType.Reply:
        message = this.state.messages.create(this.#origin(record, replyType), data);
        break;
      case CallbackType.DeferredReply: {
        const flags = Number(asObject(data).flags ?? 0) | MessageFlag.Loading;
        message = this.state.messages.create(this.#origin(record, replyType), { flags });
        break;
      }
      case CallbackType.DeferredUpdate:
        message = record.componentMessageId ? this.state.messages.get(record.componentMessageId) : undefined;
        break;
      case CallbackType.UpdateMessage:
        message = record.componentMessageId ? this.state.messages.update(record.componentMessageId, data) : undefined;
        break;
      case CallbackType.AutocompleteResult:
      case 9:
        break;
      default:
        return discordError(400, 50035, `Invalid Form Body: unknown callback type ${String(body.type)}`);
    }
    record.callbackType = type;
    if (message) record.originalMessageId = message.id;
    if (request.query.with_response !== 'true') return noContent();
    return ok({
      interaction: {
        id: record.id,
        type: record.type,
        response_message_id: message?.id ?? null,
        response_message_loading: type === CallbackType.DeferredReply,
        response_message_ephemeral: Boolean((message?.flags ?? 0) & MessageFlag.Ephemeral),
      },
      resource: message ? { type, message: message as unknown as JsonValue } : { type },
    });
  }

  /**
   * A follow-up creates a message, except while the deferred original still shows "thinking…": then, as on
   * Discord, it resolves that message in place and keeps its visibility (flags 64 can be neither added nor
   * removed), whatever flags the follow-up asks for.
   */
  #followUp(params: Params, body: JsonValue | null): Reply {
    const record = this.#interactionByToken(params);
    if (!record) return unknownWebhook();
    const original = record.originalMessageId === undefined ? undefined : this.state.messages.get(record.originalMessageId);
    if (original && original.flags & MessageFlag.Loading) {
      const { flags: _ignored, ...rest } = asObject(body);
      return ok(this.state.messages.update(original.id, rest) as unknown as JsonValue);
    }
    return ok(this.state.messages.create(this.#origin(record, 0), body) as unknown as JsonValue);
  }

  #webhookMessage(params: Params, method: 'GET' | 'PATCH' | 'DELETE', body: JsonValue | null): Reply {
    const record = this.#interactionByToken(params);
    if (!record) return unknownWebhook();
    const messageId = params.message === '@original' ? record.originalMessageId : params.message;
    return this.#onMessage(messageId, undefined, method, body);
  }

  #channel(channelId: string): Reply {
    const known = this.state.channels.get(channelId);
    return known ? ok(channelJson(known.guildId, known.channel)) : unknownChannel();
  }

  #postMessage(channelId: string, body: JsonValue | null): Reply {
    const known = this.state.channels.get(channelId);
    if (!known) return unknownChannel();
    const message = this.state.messages.create({ channelId, guildId: known.guildId }, body);
    return ok(message as unknown as JsonValue);
  }

  #channelMessage(params: Params, method: 'GET' | 'PATCH' | 'DELETE', body: JsonValue | null): Reply {
    if (!this.state.channels.has(params.channel!)) return unknownChannel();
    return this.#onMessage(params.message, params.channel, method, body);
  }

  #onMessage(
    messageId: string | undefined,
    channelId: string | undefined,
    method: 'GET' | 'PATCH' | 'DELETE',
    body: JsonValue | null,
  ): Reply {
    const message = messageId === undefined ? undefined : this.state.messages.get(messageId);
    if (!message || (channelId !== undefined && message.channel_id !== channelId)) return unknownMessage();
    if (method === 'DELETE') {
      this.state.messages.delete(message.id);
      return noContent();
    }
    const current = method === 'PATCH' ? this.state.messages.update(message.id, body) : message;
    return ok(current as unknown as JsonValue);
  }

  #startThread(channelId: string, messageId: string | undefined, body: JsonValue | null): Reply {
    const parent = this.state.channels.get(channelId);
    if (!parent) return unknownChannel();
    if (messageId !== undefined && !this.state.messages.get(messageId)) return unknownMessage();
    const input = asObject(body);
    const thread: FakeChannel = {
      id: messageId ?? this.state.ids.next(),
      name: typeof input.name === 'string' ? input.name : 'thread',
      type: 11,
      parent_id: channelId,
    };
    this.state.channels.set(thread.id, { guildId: parent.guildId, channel: thread });
    return { status: 201, body: channelJson(parent.guildId, thread) };
  }

  #member(guildId: string, userId: string): Reply {
    const guild = this.state.guilds.find((g) => g.id === guildId);
    if (!guild) return discordError(404, 10004, 'Unknown Guild');
    const member = guild.members.find((m) => m.user.id === userId);
    return member ? ok(memberJson(guild, member, false)) : discordError(404, 10007, 'Unknown Member');
  }
}

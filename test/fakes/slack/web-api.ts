import { TsClock } from './ids.js';
import type { FakeSlackUser, JsonObject, PublishedView, StoredMessage } from './types.js';
import type { Workspace } from './workspace.js';

/** One Web API request as the fake sees it. */
export interface WebApiRequest {
  method: string;
  body: JsonObject;
  token: string | undefined;
}

type Handler = (request: WebApiRequest) => JsonObject;

/** Slack's Web API methods that maintbot uses, over an in-memory channel history. */
export class WebApi {
  private readonly clock = new TsClock();
  private readonly history = new Map<string, StoredMessage>();
  private readonly handlers: Record<string, Handler> = {
    'auth.test': () => this.authTest(),
    'apps.connections.open': () => ({ ok: true, url: this.openSocketUrl() }),
    'chat.postMessage': (request) => this.postMessage(request.body),
    'chat.update': (request) => this.update(request.body),
    'chat.postEphemeral': (request) => this.postEphemeral(request.body),
    'usergroups.users.list': (request) => this.usergroupMembers(request.body),
    'users.info': (request) => this.userInfo(request.body),
    'views.publish': (request) => this.publishView(request.body),
  };
  private readonly homes = new Map<string, PublishedView>();
  private viewCounter = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly openSocketUrl: () => string,
  ) {}

  answer(request: WebApiRequest): JsonObject {
    const authError = this.checkToken(request);
    if (authError !== undefined) return { ok: false, error: authError };
    const handler = this.handlers[request.method];
    return handler === undefined ? { ok: true } : handler(request);
  }

  /** The latest view published to a user's App Home. */
  homeView(userId: string): PublishedView | undefined {
    return this.homes.get(userId);
  }

  messages(channel?: string): StoredMessage[] {
    const all = [...this.history.values()].map((message) => ({ ...message }));
    return channel === undefined ? all : all.filter((message) => message.channel === channel);
  }

  /** Adds a message to the history unless `ts` is already there; returns its `ts`. */
  ensureMessage(channel: string, ts: string | undefined, text: string | undefined, blocks: unknown[] | undefined): string {
    if (ts !== undefined && this.history.has(messageKey(channel, ts))) return ts;
    const stored = this.store({ channel, ts: ts ?? this.clock.next(), text, blocks, threadTs: undefined, updates: 0 });
    return stored.ts;
  }

  private checkToken({ method, token }: WebApiRequest): string | undefined {
    if (token === undefined || token === '') return 'not_authed';
    if (method === 'apps.connections.open') {
      if (!token.startsWith('xapp-')) return 'not_allowed_token_type';
      return this.workspace.appToken === undefined || token === this.workspace.appToken ? undefined : 'invalid_auth';
    }
    if (this.workspace.botToken !== undefined) return token === this.workspace.botToken ? undefined : 'invalid_auth';
    return token.startsWith('xoxb-') || token.startsWith('xoxp-') ? undefined : 'invalid_auth';
  }

  private authTest(): JsonObject {
    const { teamDomain, teamId, botName, botUserId, botId } = this.workspace;
    return {
      ok: true,
      url: `https://${teamDomain}.slack.com/`,
      team: teamDomain,
      user: botName,
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    };
  }

  private postMessage(body: JsonObject): JsonObject {
    const channel = stringField(body, 'channel');
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    const text = stringField(body, 'text');
    const blocks = arrayField(body, 'blocks');
    if (text === undefined && blocks === undefined && body.attachments === undefined) return { ok: false, error: 'no_text' };
    const stored = this.store({
      channel,
      ts: this.clock.next(),
      text,
      blocks,
      threadTs: stringField(body, 'thread_ts'),
      updates: 0,
    });
    return { ok: true, channel, ts: stored.ts, message: this.messageJson(stored) };
  }

  private update(body: JsonObject): JsonObject {
    const channel = stringField(body, 'channel');
    const ts = stringField(body, 'ts');
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    const stored = ts === undefined ? undefined : this.history.get(messageKey(channel, ts));
    if (stored === undefined) return { ok: false, error: 'message_not_found' };
    const text = stringField(body, 'text');
    const blocks = arrayField(body, 'blocks');
    if (text !== undefined) stored.text = text;
    if (blocks !== undefined) stored.blocks = blocks;
    stored.updates += 1;
    return { ok: true, channel, ts: stored.ts, text: stored.text ?? '', message: this.messageJson(stored) };
  }

  private postEphemeral(body: JsonObject): JsonObject {
    if (stringField(body, 'channel') === undefined) return { ok: false, error: 'channel_not_found' };
    if (stringField(body, 'user') === undefined) return { ok: false, error: 'user_not_in_channel' };
    return { ok: true, message_ts: this.clock.next() };
  }

  private publishView(body: JsonObject): JsonObject {
    const userId = stringField(body, 'user_id');
    if (userId === undefined) return { ok: false, error: 'invalid_arguments' };
    const view = typeof body.view === 'string' ? (JSON.parse(body.view) as unknown) : body.view;
    if (typeof view !== 'object' || view === null || (view as JsonObject).type !== 'home') return { ok: false, error: 'invalid_arguments' };
    const blocks = arrayField(view as JsonObject, 'blocks') ?? [];
    if (blocks.length > 100) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] must be less than 101 items [json-pointer:/view/blocks]'] } };
    const earlier = this.homes.get(userId);
    this.viewCounter += 1;
    const published: PublishedView = { id: earlier?.id ?? `V0HOME${String(this.viewCounter).padStart(4, '0')}`, userId, blocks, version: (earlier?.version ?? 0) + 1 };
    this.homes.set(userId, published);
    return { ok: true, view: { id: published.id, team_id: this.workspace.teamId, type: 'home', blocks, app_id: this.workspace.appId, bot_id: this.workspace.botId } };
  }

  private usergroupMembers(body: JsonObject): JsonObject {
    const usergroup = stringField(body, 'usergroup');
    const users = usergroup === undefined ? undefined : this.workspace.usergroups.get(usergroup);
    return users === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users: [...users] };
  }

  private userInfo(body: JsonObject): JsonObject {
    const id = stringField(body, 'user');
    const user = id === undefined ? undefined : this.workspace.users.get(id);
    return user === undefined ? { ok: false, error: 'user_not_found' } : { ok: true, user: this.userJson(user) };
  }

  private userJson(user: FakeSlackUser): JsonObject {
    const name = user.name ?? user.id.toLowerCase();
    return {
      team_id: this.workspace.teamId,
      deleted: false,
      is_admin: false,
      is_owner: false,
      is_bot: false,
      tz: 'UTC',
      real_name: name,
      ...user,
      name,
      profile: { display_name: name, real_name: user.real_name ?? name, ...user.profile },
    };
  }

  private store(message: StoredMessage): StoredMessage {
    this.history.set(messageKey(message.channel, message.ts), message);
    return message;
  }

  private messageJson(message: StoredMessage): JsonObject {
    return {
      type: 'message',
      user: this.workspace.botUserId,
      bot_id: this.workspace.botId,
      app_id: this.workspace.appId,
      team: this.workspace.teamId,
      ts: message.ts,
      text: message.text ?? '',
      ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
      ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
    };
  }
}

function messageKey(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

function stringField(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function arrayField(body: JsonObject, key: string): unknown[] | undefined {
  const value = body[key];
  return Array.isArray(value) ? value : undefined;
}

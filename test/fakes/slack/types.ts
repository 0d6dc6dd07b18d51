/** A JSON object as sent or received by the fake. */
export type JsonObject = Record<string, unknown>;

/** One Web API call received by the fake, in arrival order. */
export interface RecordedCall {
  /** Position in the log since start (not reset by `reset()`). */
  readonly seq: number;
  /** Web API method, e.g. `chat.postMessage`. */
  readonly method: string;
  /** Parsed body; for form bodies `blocks`, `attachments` and `metadata` are JSON-decoded. */
  readonly body: JsonObject;
  readonly contentType: string;
  /** Token taken from `Authorization: Bearer …` or, failing that, the `token` body field. */
  readonly token: string | undefined;
  /** `Date.now()` when the request arrived. */
  readonly at: number;
  /** What the fake answered. */
  readonly response: JsonObject;
}

/** One POST received on a `response_url`. */
export interface ResponseUrlPost {
  readonly seq: number;
  /** The id given to `fake.responseUrl(id)`. */
  readonly id: string;
  readonly body: JsonObject;
  /** Slack's default for a `response_url` post is `ephemeral`. */
  readonly responseType: 'ephemeral' | 'in_channel';
  readonly replaceOriginal: boolean;
  readonly deleteOriginal: boolean;
  readonly at: number;
}

/** A bot message as the fake's channel history holds it (after any updates). */
export interface StoredMessage {
  readonly channel: string;
  readonly ts: string;
  text: string | undefined;
  blocks: unknown[] | undefined;
  readonly threadTs: string | undefined;
  /** How many times `chat.update` changed it. */
  updates: number;
}

/** A Slack user as `users.info` returns it; missing fields get plausible defaults. */
export interface FakeSlackUser {
  id: string;
  name?: string;
  real_name?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
  profile?: JsonObject;
}

/** Settings of a fake workspace; every field has a default. */
export interface FakeSlackOptions {
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  botUserId?: string;
  botId?: string;
  botName?: string;
  /** Exact bot token to accept; by default any `xoxb-…` or `xoxp-…` token is accepted. */
  botToken?: string;
  /** Exact app-level token to accept on `apps.connections.open`; by default any `xapp-…`. */
  appToken?: string;
  /** Users known to `users.info`, by id. */
  users?: Record<string, Omit<FakeSlackUser, 'id'>>;
  /** Members of each user group, for `usergroups.users.list`, by group id. */
  usergroups?: Record<string, string[]>;
  /** How long `sendSlashCommand`/`sendBlockAction` wait for an ack (default 3000 ms, Slack's limit). */
  ackTimeoutMs?: number;
  /** Default timeout of the `waitFor…` helpers (default 5000 ms). */
  waitTimeoutMs?: number;
}

/** Fields of a slash command; all but `text` have defaults from the fake workspace. */
export interface SlashCommandFields {
  command?: string;
  text: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  response_url?: string;
  trigger_id?: string;
  [extra: string]: string | undefined;
}

/** What a click on a button looks like; all fields have defaults. */
export interface BlockActionFields {
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  action_id?: string;
  block_id?: string;
  value?: string;
  /** Text of the clicked button. */
  button_text?: string;
  /** `ts` of the message holding the button; the fake adds it to the channel history if unknown. */
  message_ts?: string;
  message_text?: string;
  message_blocks?: unknown[];
  response_url?: string;
  trigger_id?: string;
}

/** Who opens the App Home, and which tab; defaults: alice, the Home tab. */
export interface AppHomeOpenedFields {
  user_id?: string;
  tab?: 'home' | 'messages';
}

/** A click on a button of the view the bot last published to a person's App Home. */
export interface HomeActionFields {
  user_id?: string;
  user_name?: string;
  /** The clicked button, by its text; its `value` and `action_id` are taken from the published view. */
  button_text: string;
}

/** A view the bot published to a person's App Home with `views.publish`. */
export interface PublishedView {
  readonly id: string;
  readonly userId: string;
  readonly blocks: unknown[];
  /** How many times this person's home was published since start. */
  readonly version: number;
}

/** What the bot sent back over Socket Mode for one envelope. */
export interface SocketModeAck {
  envelope_id: string;
  payload?: JsonObject;
  [extra: string]: unknown;
}

/** Result of delivering one envelope over Socket Mode. */
export interface DeliveredEnvelope {
  envelopeId: string;
  /** The payload that was sent inside the envelope. */
  payload: JsonObject;
  ack: SocketModeAck;
  /** Milliseconds from sending the envelope to receiving the ack. */
  ackMs: number;
  /** Id of the `response_url` the fake put in the payload, for `waitForResponse`. */
  responseUrlId: string;
}

/** Result of a signed HTTP post to the bot's own endpoint. */
export interface SignedPostResult {
  status: number;
  body: string;
  latencyMs: number;
  /** The payload that was posted. */
  payload: JsonObject;
  responseUrlId: string;
}

/** Options of a signed HTTP post. */
export interface SignedPostOptions {
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Send a signature computed with the wrong secret. */
  badSignature?: boolean;
}

/** Answers a Web API call instead of the fake's default; return `undefined` to fall through. */
export type WebApiResponder = (call: Omit<RecordedCall, 'seq' | 'response'>) => JsonObject | undefined;

/** A running fake Slack on 127.0.0.1: Web API, Socket Mode, `response_url` sink and HTTP-mode helpers. */
export interface FakeSlack {
  /** Web API base, ending in `/api/`, for Bolt's `clientOptions.slackApiUrl`. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string;
  readonly workspace: Readonly<Required<Pick<FakeSlackOptions, 'teamId' | 'teamDomain' | 'appId' | 'botUserId' | 'botId' | 'botName'>>>;

  /** Recorded Web API calls, optionally of one method. */
  calls(method?: string): RecordedCall[];
  /** First recorded call of `method` matching `predicate`, waiting for it if needed. */
  waitForCall(method: string, predicate?: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** Answer `method` with `responder` (until `reset()`); e.g. to make `chat.postMessage` fail. */
  respondTo(method: string, responder: WebApiResponder): void;
  /** Current channel history of bot messages (after updates), optionally of one channel. */
  messages(channel?: string): StoredMessage[];

  /** A URL whose posts are recorded under `id` (a fresh id if omitted). */
  responseUrl(id?: string): string;
  /** Recorded `response_url` posts, optionally for one id. */
  responses(id?: string): ResponseUrlPost[];
  /** First `response_url` post for `id` (any id if omitted) matching `predicate`, waiting if needed. */
  waitForResponse(id?: string, predicate?: (post: ResponseUrlPost) => boolean, timeoutMs?: number): Promise<ResponseUrlPost>;

  /** Socket Mode connections that got `hello` since start. */
  connectionCount(): number;
  /** Socket Mode connections open right now. */
  openConnectionCount(): number;
  /** Resolves once `n` connections in total have got `hello` since start. */
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  /** Sends a `slash_commands` envelope on the newest connection and resolves with the ack. */
  sendSlashCommand(fields: SlashCommandFields): Promise<DeliveredEnvelope>;
  /** Sends an `interactive` envelope with a `block_actions` payload and resolves with the ack. */
  sendBlockAction(fields?: BlockActionFields): Promise<DeliveredEnvelope>;
  /** Sends an `events_api` envelope with an `app_home_opened` event, as Slack does when a person opens the app. */
  sendAppHomeOpened(fields?: AppHomeOpenedFields): Promise<DeliveredEnvelope>;
  /** Sends a `block_actions` payload from the person's published App Home (container `view`, no channel); throws when nothing was published or no such button is on it. */
  sendHomeAction(fields: HomeActionFields): Promise<DeliveredEnvelope>;
  /** The latest view published to a person's App Home, if any. */
  homeView(userId: string): PublishedView | undefined;
  /** Sends any envelope and resolves with the ack. */
  sendEnvelope(type: string, payload: JsonObject, acceptsResponsePayload: boolean): Promise<DeliveredEnvelope>;
  /** Sends `{"type":"disconnect","reason":…}` on every open connection. */
  disconnect(reason?: string): void;
  /** Destroys every open connection without a close frame; resolves when the server side has closed. */
  dropSocket(): Promise<void>;

  /** Posts a signed slash command to the bot's HTTP endpoint as Slack would. */
  postSignedSlashCommand(url: string, signingSecret: string, fields: SlashCommandFields, options?: SignedPostOptions): Promise<SignedPostResult>;
  /** Posts a signed `payload=<json>` block action to the bot's HTTP endpoint as Slack would. */
  postSignedBlockAction(url: string, signingSecret: string, fields?: BlockActionFields, options?: SignedPostOptions): Promise<SignedPostResult>;

  /** Forgets recorded calls, `response_url` posts and responders; keeps connections and channel history. */
  reset(): void;
  /**
   * Stop the Bolt app first. Waits up to 1 s for open sockets to finish closing, destroys any left,
   * waits for the server side of each to close, then closes the server.
   */
  close(): Promise<void>;
}

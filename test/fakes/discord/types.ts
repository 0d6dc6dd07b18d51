/** A JSON value as parsed from a request body or built for a payload. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** An embed as discord.js serialises it; only the fields tests usually read are named. */
export interface EmbedJson {
  title?: string;
  description?: string;
  color?: number;
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
  footer?: { text: string };
  [key: string]: unknown;
}

/** A message component (action row, button, select) as discord.js serialises it. */
export interface ComponentJson {
  type: number;
  custom_id?: string;
  label?: string;
  style?: number;
  disabled?: boolean;
  components?: ComponentJson[];
  [key: string]: unknown;
}

/** The message-shaped part of a create/edit/callback body. */
export interface MessageFields {
  content?: string;
  embeds?: EmbedJson[];
  components?: ComponentJson[];
  flags?: number;
  choices?: Array<{ name: string; value: string | number }>;
  [key: string]: unknown;
}

/** One HTTP request the fake received, as seen after decoding. */
export interface RecordedRequest {
  method: string;
  /** Decoded path below `/api/v10`, e.g. `/webhooks/1/tok/messages/@original`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, or the `payload_json` field of a multipart body; null when empty. */
  body: JsonValue | null;
  files: UploadedFile[];
  authorization: string | null;
  status: number;
  at: number;
  /** `http-response`: not a request the bot made but its answer to an interaction the fake posted to it over HTTP. */
  via?: 'http-response';
}

/** A file part of a multipart request. */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

/** A message as the fake stores and returns it. */
export interface FakeMessage extends MessageFields {
  id: string;
  channel_id: string;
  guild_id?: string;
  content: string;
  embeds: EmbedJson[];
  components: ComponentJson[];
  flags: number;
}

/** A user in the fixture. */
export interface FakeUser {
  id: string;
  username: string;
  global_name?: string;
  bot?: boolean;
}

/** A role in the fixture; `permissions` is a decimal bit set as Discord sends it. */
export interface FakeRole {
  id: string;
  name: string;
  permissions: string;
}

/** A guild text channel (type 0) or thread (type 11) in the fixture. */
export interface FakeChannel {
  id: string;
  name: string;
  type?: number;
  parent_id?: string;
}

/** A guild member: a user and the ids of the roles it holds. */
export interface FakeMember {
  user: FakeUser;
  roles: string[];
}

/** A guild the bot is in; each one arrives as a GUILD_CREATE after READY. */
export interface FakeGuild {
  id: string;
  name: string;
  owner_id: string;
  roles: FakeRole[];
  channels: FakeChannel[];
  members: FakeMember[];
}

/** A gateway payload (frame) in either direction. */
export interface GatewayPayload {
  op: number;
  d: JsonValue;
  s?: number | null;
  t?: string | null;
}

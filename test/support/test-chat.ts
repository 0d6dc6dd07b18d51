import { randomUUID } from 'node:crypto';
import type { Actor, Invocation } from '../../src/core/invocation.js';
import type { Message, Notice, Report, ReportLine } from '../../src/core/report.js';
import type { ChatPort, MessageHandle, Responder } from '../../src/core/responder.js';
import { formatTimes, utcTime } from '../../src/core/time.js';
import type { CommandOutcome } from '../../src/router/router.js';

/** Something that takes invocations: the router. */
export interface Handler {
  handle(invocation: Invocation, responder: Responder): Promise<CommandOutcome>;
}

/**
 * A chat platform in memory for driving the core like a person would: it keeps every channel message
 * with its history of updates, and each person's private answers.
 */
export class TestChat {
  /** Channel messages by id, each with every version it had (shared by the chats of one world). */
  readonly messages: Map<string, Message[]>;
  /** Private answers per actor id. */
  readonly privateAnswers: Map<string, Message[]>;
  private readonly world: { counter: number };

  readonly port: ChatPort = {
    platform: 'console',
    post: async (_channel, message) => this.post(message),
    replyTo: async (_parent, message) => this.post(message),
    update: async (handle, message) => this.edit(handle, message),
  };

  /** A chat for one bot process; pass another chat to share its platform (two bot processes, one workspace). */
  constructor(
    private readonly handler: () => Handler,
    sameWorkspaceAs?: TestChat,
  ) {
    this.messages = sameWorkspaceAs?.messages ?? new Map();
    this.privateAnswers = sameWorkspaceAs?.privateAnswers ?? new Map();
    this.world = sameWorkspaceAs?.world ?? { counter: 0 };
  }

  /** Types a command as `actor`; resolves when the router has finished with it. */
  async type(actor: Actor, text: string): Promise<{ outcome: CommandOutcome; handles: MessageHandle[] }> {
    return this.run(actor, text, 'typed');
  }

  /** Clicks the button with this label on the latest version of a message. */
  async click(actor: Actor, handle: { id: string; platform?: string }, label: string): Promise<CommandOutcome> {
    const latest = this.latest(handle);
    const buttons = latest.kind === 'report' ? latest.buttons : latest.buttons;
    const button = buttons?.find((candidate) => candidate.label === label);
    if (!button) throw new Error(`no button '${label}' on message ${handle.id}; it shows: ${JSON.stringify(latest).slice(0, 300)}`);
    return (await this.run(actor, button.command, 'button', { platform: 'console', id: handle.id })).outcome;
  }

  /** The current version of a message. */
  latest(handle: { id: string; platform?: string }): Message {
    const versions = this.messages.get(handle.id);
    if (!versions?.length) throw new Error(`no message ${handle.id}`);
    return versions[versions.length - 1]!;
  }

  /** The current version of a message that must be a report. */
  latestReport(handle: { id: string; platform?: string }): Report {
    const message = this.latest(handle);
    if (message.kind !== 'report') throw new Error(`expected a report, got: ${message.text}`);
    return message;
  }

  /** The last thing said privately to an actor; throws when nothing was. */
  lastPrivate(actor: Actor): Message {
    const message = this.privateAnswers.get(actor.id)?.at(-1);
    if (!message) throw new Error(`nothing was said privately to ${actor.id}`);
    return message;
  }

  /** The last private answer to an actor, which must be a notice. */
  lastPrivateNotice(actor: Actor): Notice {
    const message = this.lastPrivate(actor);
    if (message.kind !== 'notice') throw new Error(`expected a notice, got: ${message.title}`);
    return message;
  }

  /** Everything said privately to an actor, oldest first, as text (times in UTC, as the terminal shows them). */
  privateTexts(actor: Actor): string[] {
    return (this.privateAnswers.get(actor.id) ?? []).map((message) => formatTimes(message.kind === 'notice' ? message.text : message.title, utcTime));
  }

  private async run(actor: Actor, text: string, origin: Invocation['origin'], sourceMessage?: MessageHandle) {
    const handles: MessageHandle[] = [];
    const responder: Responder = {
      reply: async (message) => {
        const handle = this.post(message);
        handles.push(handle);
        return handle;
      },
      update: async (handle, message) => this.edit(handle, message),
      replyPrivately: async (message) => {
        const list = this.privateAnswers.get(actor.id) ?? [];
        list.push(message);
        this.privateAnswers.set(actor.id, list);
      },
    };
    const invocation: Invocation = {
      id: randomUUID(),
      platform: 'console',
      actor,
      channel: { id: 'C-test' },
      text,
      origin,
      receivedAt: new Date(),
      ...(sourceMessage ? { sourceMessage } : {}),
    };
    const outcome = await this.handler().handle(invocation, responder);
    return { outcome, handles };
  }

  private post(message: Message): MessageHandle {
    const handle: MessageHandle = { platform: 'console', id: `m${++this.world.counter}` };
    this.messages.set(handle.id, [message]);
    return handle;
  }

  private edit(handle: Pick<MessageHandle, 'id'>, message: Message): void {
    const versions = this.messages.get(handle.id);
    if (!versions) throw new Error(`update of unknown message ${handle.id}`);
    versions.push(message);
  }
}

/** A person in tests. */
export function person(id: string, roles: string[]): Actor {
  return { id, name: id, roles };
}

/** Every line of a report, section after section. */
export function reportLines(card: Report): ReportLine[] {
  return card.sections.flatMap((section) => section.lines);
}

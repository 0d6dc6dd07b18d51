import type { CommandHandler } from '../../src/core/chat.js';
import type { Invocation } from '../../src/core/invocation.js';
import { Journal } from '../fakes/slack/journal.js';

/** The commands the adapter handed to the router since the last `clear()`: begun, and finished (answered or failed). */
export class CommandLog {
  /** `waitMs`: how long `waitForFinished` waits by default, a sign of a hang rather than a speed limit. */
  constructor(private readonly waitMs = 20_000) {}

  private readonly begunLog = new Journal<Invocation>(describeInvocation);
  private readonly finishedLog = new Journal<Invocation>(describeInvocation);

  /** `handler`, logging each command as it begins and when its handling is over. */
  wrap(handler: CommandHandler): CommandHandler {
    return {
      handle: async (invocation, responder) => {
        this.begunLog.add(invocation);
        try {
          return await handler.handle(invocation, responder);
        } finally {
          this.finishedLog.add(invocation);
        }
      },
    };
  }

  begun(): Invocation[] {
    return this.begunLog.all();
  }

  finished(): Invocation[] {
    return this.finishedLog.all();
  }

  /** The first finished command matching `matches`, already logged or still to come: the sentinel after which nothing more of it can happen. */
  waitForFinished(matches: (invocation: Invocation) => boolean, timeoutMs = this.waitMs): Promise<Invocation> {
    return this.finishedLog.waitFor(matches, timeoutMs, 'a finished command matching the predicate');
  }

  clear(): void {
    this.begunLog.clear();
    this.finishedLog.clear();
  }
}

function describeInvocation(invocation: Invocation): string {
  return `${invocation.actor.name} (${invocation.origin}): ${invocation.text}`;
}

/** Matches the command `text`, and when given, only from the user `userId`. */
export function command(text: string, userId?: string): (invocation: Invocation) => boolean {
  return (invocation) => invocation.text === text && (userId === undefined || invocation.actor.id === userId);
}

import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { CommandHandler } from '../../core/chat.js';
import type { Actor, Invocation } from '../../core/invocation.js';
import type { Responder } from '../../core/responder.js';

/** Settings of the terminal chat. */
export interface ConsoleChatOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** True when a person types at a terminal: show a prompt and colours. */
  interactive: boolean;
  actor: Actor;
  responder: Responder;
}

const prompt = 'maint> ';

/**
 * The terminal chat: reads `/maint …` lines (the `/maint` is optional), one command at a time, and
 * resolves when the input ends or the user types `quit`.
 */
export async function runConsoleChat(handler: CommandHandler, options: ConsoleChatOptions): Promise<void> {
  const lines = createInterface({ input: options.input, terminal: false, crlfDelay: Infinity });
  const showPrompt = (): void => {
    if (options.interactive) options.output.write(prompt);
  };
  showPrompt();
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === 'quit' || line === 'exit' || line === '/quit') break;
    if (line !== '' && !line.startsWith('#')) {
      const invocation: Invocation = {
        id: randomUUID(),
        platform: 'console',
        actor: options.actor,
        channel: { id: 'console', name: 'terminal' },
        text: line.replace(/^\/maint\b\s*/, ''),
        origin: 'typed',
        receivedAt: new Date(),
      };
      await handler.handle(invocation, options.responder);
      if (options.interactive) options.output.write('\n');
    }
    showPrompt();
  }
  lines.close();
}

import type { Message } from '../../core/report.js';
import type { ChatPort, MessageHandle } from '../../core/responder.js';
import { terminalText } from './terminal-text.js';

/** The terminal as a chat platform for scheduled reports, alerts and approval cards: it prints them. */
export class ConsolePort implements ChatPort {
  readonly platform = 'console' as const;
  private counter = 0;

  constructor(
    private readonly output: NodeJS.WritableStream,
    private readonly colour: boolean,
  ) {}

  async post(_channelId: string, message: Message): Promise<MessageHandle> {
    this.print(message);
    return { platform: 'console', id: `posted-${++this.counter}` };
  }

  async replyTo(_parent: MessageHandle, message: Message): Promise<MessageHandle> {
    this.print(message);
    return { platform: 'console', id: `posted-${++this.counter}` };
  }

  async update(_handle: MessageHandle, message: Message): Promise<void> {
    this.print(message);
  }

  private print(message: Message): void {
    this.output.write(terminalText(message, this.colour));
  }
}

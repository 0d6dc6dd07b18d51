import type { Message } from '../../core/report.js';
import type { MessageHandle, Responder } from '../../core/responder.js';
import { terminalText } from './terminal-text.js';

/** Prints answers to a terminal stream; updates are printed as new text, since a terminal has no edit. */
export class ConsoleResponder implements Responder {
  private counter = 0;

  constructor(
    private readonly output: NodeJS.WritableStream,
    private readonly colour: boolean,
  ) {}

  async reply(message: Message): Promise<MessageHandle> {
    this.print(message);
    return { platform: 'console', id: String(++this.counter) };
  }

  async update(_handle: MessageHandle, message: Message): Promise<void> {
    this.print(message);
  }

  async replyPrivately(message: Message): Promise<void> {
    this.print(message);
  }

  private print(message: Message): void {
    this.output.write(terminalText(message, this.colour));
  }
}

import type { Message } from '../../core/report.js';
import { mapMessageTexts } from '../../core/time.js';
import { withoutControls } from '../../core/user-text.js';
import { renderText } from '../../render/text.js';

/** A message as the terminal prints it: rendered as text, with any control character in its texts escaped so nothing it quotes can steer the terminal. */
export function terminalText(message: Message, colour: boolean): string {
  return `${renderText(mapMessageTexts(message, withoutControls), { colour })}\n`;
}

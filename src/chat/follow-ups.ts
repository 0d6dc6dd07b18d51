/** How follow-up messages are sent on one platform, for `syncFollowUps`. */
export interface FollowUpSender<Page, Ref> {
  post(page: Page): Promise<Ref>;
  edit(ref: Ref, page: Page): Promise<void>;
  remove(ref: Ref): Promise<void>;
}

/**
 * Brings the follow-ups of a split message up to date: edits those posted earlier in place, posts the
 * pages beyond them in order, removes those no page needs any more; resolves to the follow-ups now shown.
 */
export async function syncFollowUps<Page, Ref>(pages: readonly Page[], earlier: readonly Ref[], sender: FollowUpSender<Page, Ref>): Promise<Ref[]> {
  const shown: Ref[] = [];
  for (const [index, page] of pages.entries()) {
    const known = earlier[index];
    if (known === undefined) {
      shown.push(await sender.post(page));
    } else {
      await sender.edit(known, page);
      shown.push(known);
    }
  }
  for (const surplus of earlier.slice(pages.length)) await sender.remove(surplus);
  return shown;
}

/**
 * The follow-ups posted under split messages, by the first message's handle id, so a later update edits
 * them instead of posting them again. Only the newest `capacity` messages are remembered: an update of an
 * older one, or one made by another process, posts its follow-ups anew.
 */
export class FollowUpMemory<Ref> {
  private readonly byMessage = new Map<string, Ref[]>();

  constructor(private readonly capacity = 200) {}

  get(messageId: string): readonly Ref[] {
    return this.byMessage.get(messageId) ?? [];
  }

  set(messageId: string, followUps: readonly Ref[]): void {
    this.byMessage.delete(messageId);
    if (followUps.length === 0) return;
    this.byMessage.set(messageId, [...followUps]);
    for (const oldest of this.byMessage.keys()) {
      if (this.byMessage.size <= this.capacity) break;
      this.byMessage.delete(oldest);
    }
  }
}

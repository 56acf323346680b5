import type { ConversationView } from '../../preload/api';

/**
 * The unread total for the tray and the dock badge, kept from conversation events: muted
 * conversations do not count, as in common messengers.
 */
export class UnreadBadge {
  private readonly unread = new Map<string, number>();

  update(conversation: ConversationView): number {
    if (conversation.muted || conversation.unread === 0) this.unread.delete(conversation.id);
    else this.unread.set(conversation.id, conversation.unread);
    return this.total;
  }

  remove(id: string): number {
    this.unread.delete(id);
    return this.total;
  }

  clear(): void {
    this.unread.clear();
  }

  get total(): number {
    let sum = 0;
    for (const count of this.unread.values()) sum += count;
    return sum;
  }

  /** The tray's tooltip text. */
  label(language: 'en' | 'zh-CN'): string {
    const total = this.total;
    if (language === 'zh-CN') return total > 0 ? `鹊 Magpie — ${total} 条未读` : '鹊 Magpie';
    return total > 0 ? `Magpie — ${total} unread` : 'Magpie';
  }
}

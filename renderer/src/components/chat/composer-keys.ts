/** What a key press in the composer means: Enter sends, Shift+Enter (or Ctrl/Alt+Enter) breaks the line. */
export interface ComposerKey {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** True while an input method (pinyin and the like) is composing: Enter picks a candidate then. */
  isComposing: boolean;
}

export type ComposerKeyAction = 'send' | 'newline' | 'none';

export function composerKeyAction(event: ComposerKey): ComposerKeyAction {
  if (event.key !== 'Enter' || event.isComposing) return 'none';
  if (event.shiftKey || event.ctrlKey || event.altKey) return 'newline';
  return 'send';
}

import { useI18n } from 'vue-i18n';
import { isolateText, showControlCharacters, type GroupChangesView, type NoticeView } from '../../../preload/api';
import { useSession } from '../stores/session';
import { useMemberName } from './member-name';

const OPEN = '\u0001';
const CLOSE = '\u0002';
const HAN = /[\u3400-\u9fff]/u;
const LATIN = /[A-Za-z0-9]/u;
/** The isolate characters around a name (isolateText): no letters of their own, so spacing looks past them. */
const ISOLATE = /[\u2066-\u2069]/u;

/**
 * Joins the names into a Chinese sentence: a space only where a name in Latin letters meets Chinese
 * text ("alice 加入了群组"), none where Chinese meets Chinese ("你加入了群组", "alice 将你禁言").
 * The names arrive wrapped in OPEN/CLOSE marks so only their edges are looked at, never their inside;
 * the isolate characters at those edges are looked past.
 */
export function spaceNames(text: string): string {
  const needsSpace = (a: string | undefined, b: string | undefined) =>
    a !== undefined && b !== undefined && ((LATIN.test(a) && HAN.test(b)) || (HAN.test(a) && LATIN.test(b)));
  let out = '';
  const chars = [...text];
  let lastVisible: string | undefined;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === OPEN || ch === CLOSE) {
      let j = i + 1;
      while (chars[j] === OPEN || chars[j] === CLOSE) j++;
      let next = j;
      while (next < chars.length && ISOLATE.test(chars[next]!)) next++;
      if (needsSpace(lastVisible, chars[next])) out += ' ';
      i = j - 1;
      continue;
    }
    out += ch;
    if (!ISOLATE.test(ch)) lastVisible = ch;
  }
  return out;
}

/** The longest part of a new announcement or group name a system line quotes, in characters. */
const QUOTE_CHARS = 60;

/** A new announcement or name as one short line: its line breaks as spaces, cut with an ellipsis. */
export function announcementQuote(text: string): string {
  const line = [...showControlCharacters(text.replace(/\s+/gu, ' ').trim())];
  return line.length > QUOTE_CHARS ? `${line.slice(0, QUOTE_CHARS).join('').trimEnd()}…` : line.join('');
}

/**
 * What a group change did, in one line's parts: the name, the join mode, the invite rule, mute
 * all, and the announcement last (its quote runs to the line's end).
 */
function changeParts(changes: GroupChangesView, t: (key: string, values?: Record<string, string>) => string): string[] {
  const parts: string[] = [];
  if (changes.name !== undefined) parts.push(t('noticeChange.name', { name: isolateText(announcementQuote(changes.name)) }));
  if (changes.mode !== undefined) parts.push(t(`noticeChange.mode.${changes.mode}`));
  if (changes.inviteConfirm !== undefined) parts.push(t(changes.inviteConfirm ? 'noticeChange.inviteConfirmOn' : 'noticeChange.inviteConfirmOff'));
  if (changes.muteAll !== undefined) parts.push(t(changes.muteAll ? 'noticeChange.muteAllOn' : 'noticeChange.muteAllOff'));
  if (changes.announcement !== undefined) {
    const text = announcementQuote(changes.announcement);
    parts.push(text === '' ? t('noticeChange.announcementCleared') : t('noticeChange.announcement', { text: isolateText(text) }));
  }
  return parts;
}

const DURATION_UNITS = [['days', 86_400], ['hours', 3_600], ['minutes', 60], ['seconds', 1]] as const;

/** A mute's length in its whole units, largest first: "1 hour 30 minutes", "30 days" ("1 小时 30 分钟"). */
export function durationText(seconds: number, t: (key: string, n: number) => string): string {
  const parts: string[] = [];
  let left = seconds;
  for (const [unit, size] of DURATION_UNITS) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0) parts.push(t(`duration.${unit}`, n));
  }
  return parts.join(' ');
}

/** "a", "a and b", "a, b and c"; in Chinese "a，b，c". */
function joinParts(parts: readonly string[], zh: boolean): string {
  if (zh || parts.length < 2) return parts.join('，');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

/** The centred system line for a group notice, in the current language. */
export function useNoticeText(): (notice: NoticeView) => string {
  const { t, locale } = useI18n();
  const session = useSession();
  const zh = () => locale.value === 'zh-CN';
  // names are marked for spaceNames in Chinese; in English the templates carry their own spaces.
  // Each is an isolate (drawn by BidiText): a right-to-left name cannot reorder the sentence.
  const mark = (name: string) => (zh() ? `${OPEN}${name}${CLOSE}` : name);
  const memberName = useMemberName();
  return (notice) => {
    // a member is named by their alias in the group, as its member list and bubbles name them
    const name = (userId: string) => mark(userId === session.session?.userId ? t('notices.you') : isolateText(memberName(userId, notice.groupId)));
    const actor = name(notice.actor);
    const targets = notice.targets.map(name).join(zh() ? '、' : ', ');
    // the role inside a sentence ("made Bob an admin"), not the member list's badge ("Admin")
    const role = notice.role ? t(`notice.roleAs.${notice.role}`) : '';
    // a change that says what it changed is said field by field ("renamed the group to …"); an
    // older one that set an announcement still quotes it; any other says "changed the group info"
    const parts = notice.kind === 'modify' && notice.changes ? changeParts(notice.changes, t) : [];
    const announced = notice.kind === 'modify' && parts.length === 0 && notice.text.trim() !== '';
    const kind =
      notice.kind === 'mute' ? (!notice.muteUntilMs ? 'unmute' : notice.muteSeconds ? 'mute_for' : 'mute')
        // a member made a member again was an admin: say what they lost, not "made you a member"
        : notice.kind === 'role' && notice.role === 'member' ? 'unadmin'
          : parts.length > 0 ? 'modify_changes' : announced ? 'modify_announcement' : notice.kind;
    const text = t(`notice.${kind}`, {
      actor,
      targets,
      role,
      text: announced ? isolateText(announcementQuote(notice.text)) : '',
      changes: joinParts(parts, zh()),
      duration: notice.muteSeconds ? durationText(notice.muteSeconds, (key, n) => t(key, { n }, n)) : '',
    });
    if (zh()) return spaceNames(text);
    // "you" starts a sentence with a capital ("You joined the group"), and stays small inside one
    const you = t('notices.you');
    return text.startsWith(`${you} `) ? you.charAt(0).toUpperCase() + text.slice(1) : text;
  };
}

import { codePointLabel, controlCharacterName, forbiddenTextControl, MESSAGE_LIMITS, textChars } from '../../../protocol';
import { MEDIA_LIMITS } from '../../../preload/api';
import { UsageError } from '../usage';
import type { CustomSend } from './parsed-command';
import type { Values } from './flags';
import { positiveInt } from './id-and-number-checks';

type MediaKind = 'voice' | 'image' | 'file';

/** The file send names with --file, --image or --voice (one of them), or undefined. */
export function mediaOption(values: Values, where: string): { path: string; mediaKind: MediaKind } | undefined {
  const given = (['file', 'image', 'voice'] as const).filter((kind) => values[kind] !== undefined);
  if (given.length > 1) throw new UsageError('give one of --file, --image, --voice', where);
  const kind = given[0];
  if (kind === undefined) return undefined;
  const path = values[kind]!;
  if (path === '') throw new UsageError(`--${kind} needs a PATH`, where);
  return { path, mediaKind: kind };
}

/** send carries a --text T and nothing else (no --stdin, --custom or file): what --burn and mentions need. */
export function isTextOnly(values: Values, where: string): boolean {
  return values.text !== undefined && !values.stdin && values.custom === undefined && mediaOption(values, where) === undefined;
}

/** --duration MS of a media send: for --voice only, where it is needed, within the voice limits. */
export function voiceDurationMs(values: Values, mediaKind: MediaKind, where: string): number | undefined {
  if (values.duration !== undefined && mediaKind !== 'voice') throw new UsageError('--duration is for --voice', where);
  const durationMs = values.duration === undefined ? undefined : positiveInt('--duration', values.duration, where);
  if (mediaKind === 'voice' && durationMs === undefined) throw new UsageError('--voice needs --duration MS', where);
  // as the app drops a recording stopped under a second, the CLI sends none that short
  if (mediaKind === 'voice' && durationMs !== undefined && durationMs < MEDIA_LIMITS.minVoiceMs) {
    throw new UsageError(`--duration is ${durationMs} ms: a voice message lasts at least ${MEDIA_LIMITS.minVoiceMs} ms (1 second)`, where);
  }
  // the server refuses a longer one only after the upload: refused before any byte goes
  if (mediaKind === 'voice' && durationMs !== undefined && durationMs > MEDIA_LIMITS.maxVoiceMs) {
    throw new UsageError(`--duration is ${durationMs} ms: a voice message lasts at most ${MEDIA_LIMITS.maxVoiceMs} ms (60 seconds)`, where);
  }
  return durationMs;
}

export function customOf(values: Values, command: string): CustomSend {
  if (values.text !== undefined || values.stdin) throw new UsageError('give --custom CMD or a text (--text, --stdin), not both', command);
  const custom = values.custom ?? '';
  if (custom.trim() === '') throw new UsageError('--custom must name a command', command);
  // the server's limits, checked before the message is stored (never sent, it would stay failed)
  // the server counts a command in UTF-16 code units, so an emoji takes two of the 64
  if (custom.length > MESSAGE_LIMITS.maxCommandChars) {
    const units = textChars(custom) === custom.length ? '' : ' (UTF-16 code units: an emoji outside the basic plane counts as two)';
    throw new UsageError(`--custom is ${custom.length} characters long${units}; the server takes at most ${MESSAGE_LIMITS.maxCommandChars}`, command);
  }
  // the server refuses these in a command as in a text (INVALID_MESSAGE): refused here, nothing is stored
  const control = forbiddenTextControl(custom);
  if (control !== undefined) {
    const name = controlCharacterName(control);
    const label = codePointLabel(control);
    throw new UsageError(
      `--custom must not hold control characters other than tab and line breaks (it holds ${name === label ? name : `${name}, ${label}`})`,
      command,
    );
  }
  const payload = values.payload ?? '{}';
  const payloadBytes = Buffer.byteLength(payload, 'utf8');
  if (payloadBytes > MESSAGE_LIMITS.maxCustomPayloadBytes) {
    throw new UsageError(`--payload is ${payloadBytes} bytes; the server takes at most ${MESSAGE_LIMITS.maxCustomPayloadBytes}`, command);
  }
  try {
    JSON.parse(payload);
  } catch (error) {
    throw new UsageError(`--payload must be JSON: ${(error as Error).message}`, command);
  }
  return { command: custom, payload, transient: values.transient ?? false };
}

/**
 * What is wrong with a text the server would refuse for its length (TEXT_TOO_LONG), or undefined:
 * counted as the server counts (code points, protocol's textChars and MESSAGE_LIMITS), so such a
 * text is never stored, sent and left failed in the outbox.
 */
export function textOverLimit(text: string): string | undefined {
  const chars = textChars(text);
  if (chars <= MESSAGE_LIMITS.maxTextChars) return undefined;
  return `${chars} characters long; the server takes at most ${MESSAGE_LIMITS.maxTextChars} (Unicode code points: an emoji or a Chinese character is one)`;
}

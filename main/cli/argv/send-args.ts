import { UsageError } from '../usage';
import type { Command } from './parsed-command';
import { noMoreArguments, onlyOptions, type Values } from './flags';
import { conversationTarget } from './id-and-number-checks';
import { mentionsOf } from './mentions';
import { customOf, isTextOnly, mediaOption, textOverLimit, voiceDurationMs } from './send-content';

/** send: a text (--text, --stdin), a custom message (--custom) or a file (--file, --image, --voice). */
export function parseSend(sub: string | undefined, rest: readonly string[], values: Values): Command {
  const name = 'send';
  onlyOptions(values, ['to', 'group', 'text', 'stdin', 'custom', 'payload', 'transient', 'file', 'image', 'voice', 'duration', 'burn', 'mention', 'mention-all'], name);
  if (values.burn && !isTextOnly(values, name)) throw new UsageError('--burn goes with --text T (burn after reading is for text)', name);
  if (values.burn && values.group !== undefined) throw new UsageError('--burn is for one-to-one messages (--to USER)', name);
  // "magpie send --to bob hello": the words were meant as the text
  const stray = [sub, ...rest].find((e) => e !== undefined);
  if (stray !== undefined && values.text === undefined && !values.stdin && values.custom === undefined && mediaOption(values, name) === undefined) {
    throw new UsageError(`unexpected argument: ${stray} (to send it as the text, write --text ${JSON.stringify([sub, ...rest].filter((e) => e !== undefined).join(' '))})`, name);
  }
  noMoreArguments([sub, ...rest], name);
  const to = conversationTarget(values.to, values.group, '--to', name);
  const mentioned = mentionsOf(values, to, name);
  const media = mediaOption(values, name);
  if (media !== undefined) {
    if (values.text !== undefined || values.stdin || values.custom !== undefined) {
      throw new UsageError('send either text, --custom or one of --file, --image, --voice', name);
    }
    return { kind: 'send-file', to, ...media, durationMs: voiceDurationMs(values, media.mediaKind, name) };
  }
  if (values.custom !== undefined) return { kind: 'send', to, text: undefined, stdin: false, custom: customOf(values, name) };
  if (values.payload !== undefined || values.transient) throw new UsageError('--payload and --transient go with --custom CMD', name);
  if (values.text === undefined && !values.stdin) {
    throw new UsageError('give what to send: --text T, --stdin, --custom CMD, --file P, --image P or --voice P --duration MS', name);
  }
  if (values.text !== undefined && values.stdin) throw new UsageError('give either --text T or --stdin, not both', name);
  // as --stdin skips a blank line, a text of only spaces is no message
  if (values.text !== undefined && values.text.trim() === '') throw new UsageError('--text must not be empty or only white space', name);
  const tooLong = values.text === undefined ? undefined : textOverLimit(values.text);
  if (tooLong !== undefined) throw new UsageError(`--text is ${tooLong}`, name);
  return { kind: 'send', to, text: values.text, stdin: values.stdin ?? false, ...(values.burn ? { burn: true } : {}), ...mentioned };
}

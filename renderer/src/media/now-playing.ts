/**
 * The one voice message playing in the window: starting another pauses it, as a voice note
 * started while another plays takes its place rather than talking over it.
 */
let current: HTMLAudioElement | undefined;

/** Call as audio starts playing: the one playing before is paused. */
export function nowPlaying(audio: HTMLAudioElement): void {
  if (current && current !== audio && !current.paused) current.pause();
  current = audio;
}

import type { Clock, TimerHandle } from '../../protocol';

/**
 * A confirm sent a little after the entries it covers, so a burst of pushes costs one CONFIRM.
 * Scheduling while one waits changes nothing; cancel() drops the waiting one (the link went).
 */
export class ConfirmTimer {
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
    private readonly delayMs: number,
    private readonly confirm: () => void,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.confirm();
    }, this.delayMs);
  }

  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

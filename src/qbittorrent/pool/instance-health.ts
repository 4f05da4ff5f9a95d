/**
 * Whether one qBittorrent can be used now, from how its last calls went: down once one failed for
 * the instance as a whole (unreachable, silent, refusing our login, failing TLS), up again once one
 * succeeds. With several qBittorrents a down one is skipped and looked at again in the background.
 */
export class InstanceHealth {
  private outage: { reason: string; since: number } | null = null;
  private readonly listeners: ((down: boolean) => void)[] = [];

  get isDown(): boolean {
    return this.outage !== null;
  }

  /** Why it is down; null when it is up. */
  get reason(): string | null {
    return this.outage?.reason ?? null;
  }

  /** Calls `listener` whenever it goes down (`true`) or comes back (`false`). */
  onChange(listener: (down: boolean) => void): void {
    this.listeners.push(listener);
  }

  markDown(reason: string): void {
    const was = this.isDown;
    this.outage = { reason, since: this.outage?.since ?? Date.now() };
    if (!was) for (const listener of this.listeners) listener(true);
  }

  markUp(): void {
    if (this.outage === null) return;
    this.outage = null;
    for (const listener of this.listeners) listener(false);
  }
}

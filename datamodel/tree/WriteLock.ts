/**
 * One writer at a time. Stored bindings change the in-memory store as soon as a transaction
 * applies a value, and a save writes every row changed since the last save: if two
 * transactions overlapped, one's commit could save the other's not-yet-committed (and later
 * rolled back) changes. Write transactions therefore queue here, from their first change to
 * their commit or rollback; a commit whose save failed takes the lock again to undo itself.
 * Reads never wait.
 */
export class WriteLock {
  private tail: Promise<void> = Promise.resolve();
  private held = 0;

  /** Waits for the lock; call the returned function exactly once to release it. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const before = this.tail;
    this.tail = before.then(() => mine);
    await before;
    this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      release();
    };
  }

  get busy(): boolean {
    return this.held > 0;
  }
}

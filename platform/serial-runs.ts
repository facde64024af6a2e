/**
 * Runs async jobs one after another: each starts once the one before it has settled, resolved or
 * failed, so a daemon's files are never rewritten while the previous rewrite is still going. The
 * caller gets its own job's result or error; a failed job does not stop the next one.
 */
export class SerialRuns {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const run = this.last.then(job);
    this.last = run.catch(() => undefined);
    return run;
  }
}

/**
 * A map keyed by concrete object or table paths that also finds every key below one instance
 * ("Device.LocalAgent.Controller.3." → its MTP rows, its MTP. table) without scanning every key:
 * a Delete of one row among 10,000 (and its undo's snapshot) then costs what that row holds.
 */
export class PathMap<V> extends Map<string, V> {
  /** Instance path → the keys strictly below it. */
  private readonly below = new Map<string, Set<string>>();

  /** A PathMap holding the entries of `from`. */
  static of<V>(from: Iterable<readonly [string, V]>): PathMap<V> {
    const m = new PathMap<V>();
    for (const [k, v] of from) m.set(k, v);
    return m;
  }

  override set(key: string, value: V): this {
    // Map's constructor calls set before this class's fields exist; `of` fills it afterwards.
    if (this.below && !this.has(key)) {
      for (const at of instancesAbove(key)) {
        const set = this.below.get(at);
        if (set) set.add(key);
        else this.below.set(at, new Set([key]));
      }
    }
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    for (const at of instancesAbove(key)) {
      const set = this.below.get(at);
      set?.delete(key);
      if (set?.size === 0) this.below.delete(at);
    }
    return true;
  }

  override clear(): void {
    super.clear();
    this.below.clear();
  }

  /** The keys strictly below `instancePath` ("….3."), a copy the caller may delete from the map while going through. */
  under(instancePath: string): string[] {
    return [...(this.below.get(instancePath) ?? [])];
  }
}

const INSTANCE_NUMBER = /^\d+$/;

/** The instance paths that `path` lies strictly below: every proper prefix ending in ".<number>.". */
function instancesAbove(path: string): string[] {
  const out: string[] = [];
  const parts = path.split('.');
  let prefix = '';
  // parts ends with "" (the trailing dot) after the path's own last segment: stop before both.
  for (let i = 0; i < parts.length - 2; i++) {
    prefix += `${parts[i]}.`;
    if (INSTANCE_NUMBER.test(parts[i]!)) out.push(prefix);
  }
  return out;
}

/**
 * A map keyed by concrete object or table paths that also finds every key below one instance
 * ("Device.LocalAgent.Controller.3." → its MTP rows, its MTP. table) without scanning every key:
 * a Delete of one row among 10,000 (and its undo's snapshot) then costs what that row holds.
 * Up to SCAN_BELOW keys it scans instead, keeping no index: a gateway's store holds a few dozen
 * rows, and a fleet would pay a Set per instance per gateway for what a short scan answers.
 */
export class PathMap<V> extends Map<string, V> {
  /** Instance path → the keys strictly below it; made when the map first outgrows SCAN_BELOW. */
  private below: Map<string, Set<string>> | undefined;

  /** A PathMap holding the entries of `from`. */
  static of<V>(from: Iterable<readonly [string, V]>): PathMap<V> {
    const m = new PathMap<V>();
    for (const [k, v] of from) m.set(k, v);
    return m;
  }

  override set(key: string, value: V): this {
    if (this.below) {
      if (!this.has(key)) addBelow(this.below, key);
    } else if (this.size >= SCAN_BELOW && !this.has(key)) {
      const below = new Map<string, Set<string>>();
      for (const k of this.keys()) addBelow(below, k);
      addBelow(below, key);
      this.below = below;
    }
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    if (!this.below) return true;
    for (const at of instancesAbove(key)) {
      const set = this.below.get(at);
      set?.delete(key);
      if (set?.size === 0) this.below.delete(at);
    }
    return true;
  }

  override clear(): void {
    super.clear();
    this.below = undefined;
  }

  /** The keys strictly below `instancePath` ("….3."), a copy the caller may delete from the map while going through. */
  under(instancePath: string): string[] {
    if (this.below) return [...(this.below.get(instancePath) ?? [])];
    // The index knows instance paths only: another path has nothing below it here either.
    if (!INSTANCE_PATH.test(instancePath)) return [];
    const out: string[] = [];
    for (const k of this.keys()) if (k.length > instancePath.length && k.startsWith(instancePath)) out.push(k);
    return out;
  }
}

/** Up to this many keys, under() scans them instead of keeping an index. */
export const SCAN_BELOW = 64;

const INSTANCE_NUMBER = /^\d+$/;
const INSTANCE_PATH = /\.\d+\.$/;

function addBelow(below: Map<string, Set<string>>, key: string): void {
  for (const at of instancesAbove(key)) {
    const set = below.get(at);
    if (set) set.add(key);
    else below.set(at, new Set([key]));
  }
}

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

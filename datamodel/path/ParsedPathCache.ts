/**
 * Parsed forms of the path texts controllers send again and again (a controller polling the
 * same parameters): parsing is skipped for a text seen recently. Bounded: past `max` texts the
 * oldest is forgotten. Only valid paths are kept, so an invalid one fails the same way (7008)
 * every time. Sharing is safe because a ParsedPath is immutable (Path.ts).
 */
import { parsePath } from './parse-path.js';
import type { ParsedPath } from './Path.js';

/** Distinct path texts remembered: a few hundred covers a controller's polling set. */
export const DEFAULT_PARSED_PATH_CACHE_SIZE = 512;

export class ParsedPathCache {
  private get byText(): Map<string, ParsedPath> {
    return (this.byTextOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private byTextOf?: Map<string, ParsedPath>;

  constructor(readonly max = DEFAULT_PARSED_PATH_CACHE_SIZE) {}

  get size(): number {
    return this.byText.size;
  }

  /** parsePath(text) in the 'instantiated' mode (TR-369 "Path Names"), from the cache when it holds `text`. */
  parse(text: string): ParsedPath {
    let p = this.byText.get(text);
    if (p === undefined) {
      p = parsePath(text);
      if (this.byText.size >= this.max) this.byText.delete(this.byText.keys().next().value!);
      this.byText.set(text, p);
    }
    return p;
  }
}

/**
 * The structured form of a USP Path Name (TR-369 "Path Names").
 *
 * A path string is parsed once, at the edge, by `parsePath` (parse-path.ts); the core passes these
 * values around and never re-splits strings. Every field is readonly: a parsed path may be shared
 * between requests and results, so nobody may mutate it.
 */

/**
 * Reference following on a name: `Ref+` is `{ index: 1 }`, `Ref#3+` is `{ index: 3 }`,
 * `Ref#*+` is `{ index: '*' }` (follow every item of a list-valued reference).
 */
export interface RefFollow {
  readonly index: number | '*';
}

/** An object (or, inside a search term, parameter) name, optionally followed as a reference. */
export interface NameSegment {
  readonly kind: 'name';
  readonly name: string;
  /** Present when the name is a reference parameter followed with `+`, `#n+` or `#*+`. */
  readonly ref?: RefFollow;
}

/** Instance number addressing (R-ARC.8): a positive integer, 1 ≤ n ≤ 4294967295. */
export interface InstanceSegment {
  readonly kind: 'instance';
  readonly n: number;
}

/** `*`: every current instance of the table (R-ARC.10). */
export interface WildcardSegment {
  readonly kind: 'wildcard';
}

/**
 * `[term&&term...]`: a search expression (R-ARC.9) or unique-key addressing. The syntax is the
 * same; whether the terms cover a whole unique key (an address) is for the resolver to decide.
 */
export interface SearchSegment {
  readonly kind: 'search';
  /** At least one term. */
  readonly terms: readonly SearchTerm[];
}

/** `{i}`: a multi-instance level in a supported-model path (GetSupportedDM only). */
export interface PlaceholderSegment {
  readonly kind: 'placeholder';
}

/** Whatever may stand in the position of an instance identifier, right after a table name. */
export type InstanceSelector = InstanceSegment | WildcardSegment | SearchSegment | PlaceholderSegment;

export type Segment = NameSegment | InstanceSelector;

/** Search operators (R-ARC.9); `~=` means "comma-separated list contains this exact item". */
export type SearchOperator = '==' | '!=' | '<' | '>' | '<=' | '>=' | '~=';

/** One component of a search expression: `relpath op value`. */
export interface SearchTerm {
  /**
   * Relative path of the compared parameter: one or more names; every name but the last is a
   * single-instance sub-object or a followed reference (`Stats.ErrorsSent`,
   * `SSIDReference+.SSID`). The last name never has a `ref`.
   */
  readonly path: readonly NameSegment[];
  readonly op: SearchOperator;
  /**
   * The literal. Quoted strings are decoded (`%22` → `"`, `%25` → `%`); unquoted values are a
   * decimal number (`-12`, `3.5`) or `true`/`false`, kept as written. Converting it to the
   * parameter's type is the resolver's job (`0123` == `123`).
   */
  readonly value: string;
  /** True when the value was a double-quoted string literal. */
  readonly quoted: boolean;
}

export type PathKind = 'object' | 'parameter' | 'command' | 'event';

/** Which model a path addresses; decides whether `{i}` or search syntax is allowed. */
export type PathMode = 'instantiated' | 'supported';

interface ParsedPathBase {
  /** The original text, exactly as received (for `requested_path` echoes and error reports). */
  readonly text: string;
  /** Object part of the path, `Device` first. A trailing leaf name is not included. */
  readonly segments: readonly Segment[];
  /** Contains a wildcard, a search expression or a reference follow: may match 0..n items. */
  readonly isSearch: boolean;
}

/** A path ending in `.`: object, object instance, table, or a search over them. */
export interface ParsedObjectPath extends ParsedPathBase {
  readonly kind: 'object';
  readonly leaf?: undefined;
}

/** A path naming a parameter (`Name`), a command (`Name()`) or an event (`Name!`). */
export interface ParsedLeafPath extends ParsedPathBase {
  readonly kind: 'parameter' | 'command' | 'event';
  /** The last name, with `()` for a command and `!` for an event (as in the schema). */
  readonly leaf: string;
}

export type ParsedPath = ParsedObjectPath | ParsedLeafPath;

export interface ParsePathOptions {
  /**
   * 'instantiated' (default): `{i}` is rejected; instance numbers, `*`, search expressions and
   * reference follows are allowed.
   * 'supported': `{i}` and instance numbers are allowed; `*`, search expressions and reference
   * follows are rejected (TR-369 supported-path BNF).
   */
  readonly mode?: PathMode;
}

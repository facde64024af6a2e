/**
 * The TR-369 Path Name grammar (TR-369 "Path Names" and its BNF),
 * parsed in one pass by a hand-written scanner: no regular expressions, no backtracking, no
 * recursion, no global state. Any syntax error is `UspError(7008 InvalidPathSyntax)` carrying the
 * original text as `path`; whether the path exists in the model (7026) is the resolver's business.
 *
 * Decisions where the spec leaves room:
 * - Names are `[A-Za-z_][A-Za-z0-9_-]*`. The BNF has no '-', but TR-106 allows it after the first
 *   character and vendor prefixes use it (`X_EXAMPLE-COM_Foo`).
 * - Instance numbers and reference indexes are BNF `posnum`: decimal, no sign, no leading zero,
 *   1..4294967295 (TR-106 unsignedInt). `01` would name instance 1 under a second spelling, so
 *   echoed and resolved paths could disagree; it is rejected.
 * - Whitespace (space, tab) is tolerated between the tokens of a search expression (R-ARC.9a:
 *   around operators and `&&`, and after `[` / before `]`), never inside names or outside `[...]`.
 * - Quoted values decode only `%22` and `%25`, the two escapes the spec defines; any other `%` is
 *   kept literally. A raw `"` ends the string, so a stray one inside is a syntax error.
 * - Unquoted values are a decimal number (`-?D+(.D+)?`) or `true`/`false`; anything else
 *   (e.g. an unquoted enum) is 7008.
 * - Object and instance paths must end in `.`. Reference parameter values omit it (and may use
 *   key addressing, R-ARC.11): parse them as `parsePath(value + '.')`.
 * - `Device` must be the first name; an instance identifier may only follow a name that is
 *   neither `Device` nor a reference follow, and must itself be followed by `.`.
 */
import { ErrorCode, UspError } from '../UspError.js';
import type { NameSegment, ParsePathOptions, ParsedPath, PathMode, PlaceholderSegment, RefFollow, SearchOperator, SearchSegment, SearchTerm, Segment, WildcardSegment } from './Path.js';

const TAB = 9;
const SPACE = 32;
const BANG = 33; // !
const QUOTE = 34; // "
const HASH = 35; // #
const PERCENT = 37; // %
const AMP = 38; // &
const LPAREN = 40; // (
const RPAREN = 41; // )
const STAR = 42; // *
const PLUS = 43; // +
const MINUS = 45; // -
const DOT = 46; // .
const ZERO = 48;
const NINE = 57;
const LT = 60; // <
const EQ = 61; // =
const GT = 62; // >
const LBRACKET = 91; // [
const RBRACKET = 93; // ]
const LBRACE = 123; // {
const TILDE = 126; // ~

/** Largest instance number / reference index: TR-106 unsignedInt. */
const MAX_POSNUM = 4294967295;

/** Character classes for ASCII: bit 1 = may start a name, bit 2 = may continue a name. */
const NAME_START = 1;
const NAME_PART = 2;
const CHAR_CLASS = (() => {
  const t = new Uint8Array(128);
  for (let c = 65; c <= 90; c++) t[c] = NAME_START | NAME_PART; // A-Z
  for (let c = 97; c <= 122; c++) t[c] = NAME_START | NAME_PART; // a-z
  t[95] = NAME_START | NAME_PART; // _
  for (let c = ZERO; c <= NINE; c++) t[c] = NAME_PART;
  t[MINUS] = NAME_PART;
  return t;
})();

// Immutable shared values: parsed paths are readonly, so identical leaves can be one object.
const DEVICE: NameSegment = Object.freeze({ kind: 'name', name: 'Device' });
const WILDCARD: WildcardSegment = Object.freeze({ kind: 'wildcard' });
const PLACEHOLDER: PlaceholderSegment = Object.freeze({ kind: 'placeholder' });
const REF_FIRST: RefFollow = Object.freeze({ index: 1 });
const REF_ALL: RefFollow = Object.freeze({ index: '*' });

/**
 * Parse a USP path (TR-369 "Path Names") into its structured form.
 * @throws UspError 7008 (InvalidPathSyntax) with `path` = `text` if the text is not a valid path.
 */
export function parsePath(text: string, options?: ParsePathOptions): ParsedPath {
  return new PathScanner(text, options?.mode ?? 'instantiated').parse();
}

function isNameStart(c: number): boolean {
  return c < 128 && (CHAR_CLASS[c]! & NAME_START) !== 0;
}

function isNamePart(c: number): boolean {
  return c < 128 && (CHAR_CLASS[c]! & NAME_PART) !== 0;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** Single-use cursor over one path text. */
class PathScanner {
  private pos = 0;
  private isSearch = false;

  constructor(
    private readonly text: string,
    private readonly mode: PathMode,
  ) {}

  parse(): ParsedPath {
    const t = this.text;
    const len = t.length;
    if (len === 0) this.fail('empty path');
    if (!t.startsWith('Device.')) this.fail("path must start with 'Device.'");
    const segments: Segment[] = [DEVICE];
    this.pos = 7;

    for (;;) {
      if (this.pos === len) {
        return { text: t, segments, kind: 'object', isSearch: this.isSearch };
      }
      const c = this.at(this.pos);
      if (isNameStart(c)) {
        const name = this.scanName();
        if (this.pos === len) {
          return { text: t, segments, kind: 'parameter', leaf: name, isSearch: this.isSearch };
        }
        const next = this.at(this.pos);
        if (next === DOT) {
          segments.push({ kind: 'name', name });
        } else if (next === PLUS || next === HASH) {
          if (this.mode === 'supported') this.fail('reference following is not allowed in a supported-model path');
          const ref = this.scanRefFollow();
          if (this.at(this.pos) !== DOT) this.fail("a reference follow must be followed by '.'");
          this.isSearch = true;
          segments.push({ kind: 'name', name, ref });
        } else if (next === LPAREN) {
          if (this.at(this.pos + 1) !== RPAREN || this.pos + 2 !== len) {
            this.fail("a command path must end with '()'");
          }
          return { text: t, segments, kind: 'command', leaf: `${name}()`, isSearch: this.isSearch };
        } else if (next === BANG) {
          if (this.pos + 1 !== len) this.fail("an event path must end with '!'");
          return { text: t, segments, kind: 'event', leaf: `${name}!`, isSearch: this.isSearch };
        } else {
          this.fail(`unexpected character ${describe(t, this.pos)} after name`);
        }
      } else {
        if (c === DOT) this.fail("empty path segment ('..')");
        const prev = segments[segments.length - 1]!;
        if (segments.length < 2 || prev.kind !== 'name' || prev.ref !== undefined) {
          if (isDigit(c) || c === STAR || c === LBRACKET || c === LBRACE) {
            this.fail('an instance identifier must follow a table name');
          }
          this.fail(`unexpected character ${describe(t, this.pos)}`);
        }
        segments.push(this.scanInstanceSelector(c));
        if (this.pos === len) this.fail("an instance identifier must be followed by '.'");
        if (this.at(this.pos) !== DOT) {
          this.fail(`unexpected character ${describe(t, this.pos)} after instance identifier`);
        }
      }
      this.pos++; // the '.' after the segment
    }
  }

  /**
   * Character code at `p`, or -1 past the end. Reading past the end with `charCodeAt` gives NaN,
   * which would also match nothing but makes V8 deoptimise the scanner (measured: ~40% slower).
   */
  private at(p: number): number {
    return p < this.text.length ? this.text.charCodeAt(p) : -1;
  }

  /** At an instance identifier: posnum, `*`, `[...]` or `{i}` (mode permitting). */
  private scanInstanceSelector(c: number): Segment {
    if (isDigit(c)) return { kind: 'instance', n: this.scanPosNum('instance number') };
    if (c === STAR) {
      if (this.mode === 'supported') this.fail("'*' is not allowed in a supported-model path; use '{i}'");
      this.pos++;
      this.isSearch = true;
      return WILDCARD;
    }
    if (c === LBRACKET) {
      if (this.mode === 'supported') this.fail('search expressions are not allowed in a supported-model path');
      this.isSearch = true;
      return this.scanSearch();
    }
    if (c === LBRACE) {
      if (this.mode !== 'supported') {
        this.fail("'{...}' is only allowed in supported-model paths; search expressions use '[...]'");
      }
      if (!this.text.startsWith('{i}', this.pos)) this.fail("the only placeholder is '{i}'");
      this.pos += 3;
      return PLACEHOLDER;
    }
    this.fail(`unexpected character ${describe(this.text, this.pos)}`);
  }

  /** `[A-Za-z_][A-Za-z0-9_-]*`; the caller has checked the first character. */
  private scanName(): string {
    const t = this.text;
    const len = t.length;
    const start = this.pos;
    let p = start + 1;
    while (p < len && isNamePart(t.charCodeAt(p))) p++;
    this.pos = p;
    return t.slice(start, p);
  }

  /** BNF posnum: `[1-9][0-9]*`, at most MAX_POSNUM. */
  private scanPosNum(what: string): number {
    let c = this.at(this.pos);
    if (!isDigit(c)) this.fail(`expected ${what}`);
    if (c === ZERO) this.fail(`${what} must be a positive integer without leading zeros`);
    let n = 0;
    while (isDigit(c)) {
      n = n * 10 + (c - ZERO);
      if (n > MAX_POSNUM) this.fail(`${what} is larger than ${MAX_POSNUM}`);
      c = this.at(++this.pos);
    }
    return n;
  }

  /** `+` | `#` (posnum | `*`) `+`; the caller has seen `+` or `#`. */
  private scanRefFollow(): RefFollow {
    if (this.at(this.pos) === PLUS) {
      this.pos++;
      return REF_FIRST;
    }
    this.pos++; // '#'
    let ref: RefFollow;
    if (this.at(this.pos) === STAR) {
      this.pos++;
      ref = REF_ALL;
    } else {
      const index = this.scanPosNum('reference index');
      ref = index === 1 ? REF_FIRST : { index };
    }
    if (this.at(this.pos) !== PLUS) this.fail("expected '+' after the reference index");
    this.pos++;
    return ref;
  }

  /** `[` term (`&&` term)* `]`, whitespace tolerated between tokens (R-ARC.9a). */
  private scanSearch(): SearchSegment {
    this.pos++; // '['
    const terms: SearchTerm[] = [];
    for (;;) {
      this.skipSpace();
      const c = this.at(this.pos);
      if (c === RBRACKET) this.fail(terms.length === 0 ? "empty search expression '[]'" : "dangling '&&'");
      if (!isNameStart(c)) this.expectedIn('a parameter name');
      const path = this.scanTermPath();
      this.skipSpace();
      const op = this.scanOperator();
      this.skipSpace();
      const quoted = this.at(this.pos) === QUOTE;
      const value = quoted ? this.scanQuoted() : this.scanUnquoted();
      terms.push({ path, op, value, quoted });
      this.skipSpace();
      const d = this.at(this.pos);
      if (d === RBRACKET) {
        this.pos++;
        return { kind: 'search', terms };
      }
      if (d === AMP && this.at(this.pos + 1) === AMP) {
        this.pos += 2;
        continue;
      }
      this.expectedIn("'&&' or ']'");
    }
  }

  /** BNF relpath: name (reffollow? '.' name)*. No instance identifiers: a term never enters a child table. */
  private scanTermPath(): NameSegment[] {
    const path: NameSegment[] = [];
    for (;;) {
      const name = this.scanName();
      const c = this.at(this.pos);
      if (c === PLUS || c === HASH) {
        const ref = this.scanRefFollow();
        if (this.at(this.pos) !== DOT) this.fail("a reference follow must be followed by '.'");
        path.push({ kind: 'name', name, ref });
      } else if (c === DOT) {
        path.push({ kind: 'name', name });
      } else {
        path.push({ kind: 'name', name });
        return path;
      }
      this.pos++; // '.'
      const d = this.at(this.pos);
      if (!isNameStart(d)) {
        if (isDigit(d) || d === STAR || d === LBRACKET || d === LBRACE) {
          this.fail('a search expression must not contain instance identifiers');
        }
        this.expectedIn('a parameter name');
      }
    }
  }

  private scanOperator(): SearchOperator {
    const c = this.at(this.pos);
    const eq = this.at(this.pos + 1) === EQ;
    let op: SearchOperator;
    if (c === LT) op = eq ? '<=' : '<';
    else if (c === GT) op = eq ? '>=' : '>';
    else if (eq && c === EQ) op = '==';
    else if (eq && c === BANG) op = '!=';
    else if (eq && c === TILDE) op = '~=';
    else this.expectedIn('an operator (== != < > <= >= ~=)');
    this.pos += op.length;
    return op;
  }

  /** `"..."`: decodes %22 and %25; the first raw `"` closes the literal. */
  private scanQuoted(): string {
    const t = this.text;
    const len = t.length;
    let p = this.pos + 1;
    let chunk = p;
    let out = '';
    for (;;) {
      if (p >= len) this.fail('unterminated string literal');
      const c = t.charCodeAt(p);
      if (c === QUOTE) break;
      if (c === PERCENT && this.at(p + 1) === 50 /* 2 */) {
        const d = this.at(p + 2);
        if (d === 50 /* 2 */ || d === 53 /* 5 */) {
          out += t.slice(chunk, p) + (d === 50 ? '"' : '%');
          p += 3;
          chunk = p;
          continue;
        }
      }
      p++;
    }
    this.pos = p + 1;
    return out + t.slice(chunk, p);
  }

  /** A decimal number `-?D+(.D+)?` or `true` / `false`, kept as written. */
  private scanUnquoted(): string {
    const t = this.text;
    const start = this.pos;
    let p = start;
    let c = this.at(p);
    if (c === MINUS || isDigit(c)) {
      if (c === MINUS) c = this.at(++p);
      if (!isDigit(c)) {
        this.pos = p;
        this.expectedIn("a digit after '-'");
      }
      while (isDigit(c)) c = this.at(++p);
      if (c === DOT) {
        c = this.at(++p);
        if (!isDigit(c)) {
          this.pos = p;
          this.expectedIn("a digit after '.'");
        }
        while (isDigit(c)) c = this.at(++p);
      }
    } else if (t.startsWith('true', p)) {
      p += 4;
    } else if (t.startsWith('false', p)) {
      p += 5;
    } else {
      this.expectedIn('a value (a "quoted string", a number, true or false)');
    }
    if (isNamePart(this.at(p)) || this.at(p) === DOT) {
      this.pos = p;
      this.expectedIn('a value (a "quoted string", a number, true or false)');
    }
    this.pos = p;
    return t.slice(start, p);
  }

  private skipSpace(): void {
    let c = this.at(this.pos);
    while (c === SPACE || c === TAB) c = this.at(++this.pos);
  }

  /** Failure inside `[...]`: distinguishes running off the end from a wrong character. */
  private expectedIn(what: string): never {
    if (this.pos >= this.text.length) this.fail(`unterminated search expression (expected ${what})`);
    this.fail(`expected ${what}, found ${describe(this.text, this.pos)}`);
  }

  private fail(message: string): never {
    throw new UspError(ErrorCode.InvalidPathSyntax, `invalid path syntax at offset ${this.pos}: ${message}`, {
      path: this.text,
    });
  }
}

function describe(text: string, pos: number): string {
  return pos < text.length ? JSON.stringify(text[pos]) : 'end of path';
}

/**
 * The association criteria of Device.DHCPv4.Server.Pool.{i}. on OpenWrt (TR-181
 * DHCPv4CondServing:1), said in the `dhcp` UCI config the way dnsmasq.init turns it into dnsmasq
 * options. Each pool with criteria owns one tag stem `usp-c<K>` (K chosen once, unused in the
 * config); its sections carry `option networkid <stem>-<kind>`, which the init script makes the
 * tag dnsmasq sets, and the pool's `list tag` items become `tag:` filters on its `dhcp-range`
 * (all of them must hold):
 *
 * | Criterion | sections (networkid) | the pool's `list tag` |
 * |-----------|----------------------|-----------------------|
 * | VendorClassID, Mode Exact | `config match` `<stem>-vc` `60,<bytes>` and `<stem>-vcx` `60,<bytes>:*` | `<stem>-vc`, `!<stem>-vcx` |
 * | VendorClassID, Mode Prefix | `config match` `<stem>-vc` `60,<bytes>` | `<stem>-vc` (`!<stem>-vc` excluded) |
 * | VendorClassID, Mode Substring | `config vendorclass` `<stem>-vc` with the text (dnsmasq's `dhcp-vendorclass` substring match) | as Prefix |
 * | ClientID, UserClassID | as Exact, on options 61 and 77 (`cid`/`cidx`, `uc`/`ucx`) | as Exact |
 * | Chaddr + ChaddrMask | `config mac` `<stem>-mac`, `*` for each 00 mask byte | `<stem>-mac` (`!<stem>-mac` excluded) |
 *
 * dnsmasq compares a `dhcp-match` hex value from the start of the option; `<bytes>:*` matches
 * only a longer option, so "vc and not vcx" is an exact match (the same rule the Linux dnsmasq
 * file uses, platform/linux/dnsmasq-classes.ts, whose limits apply here too). UCI has no
 * `tag-if`, so a pool's tags can only all hold: the Exclude of an exact match (not vc, or vcx)
 * cannot be said and is refused with 7012; a Prefix or Substring vendor class and Chaddr can be
 * excluded. Bytes that a 00 mask byte hides read back as 00 (the `config mac` keeps none).
 *
 * A pool with criteria also gets `option networkid <stem>` (unless it has one): the init script
 * tags the pool's range and its `dhcp_option` items with it (by default the interface name, which
 * the interface's other pool shares), so its options go only to the clients it serves.
 *
 * Order is not applied between pools of one interface: without `tag-if` a later pool cannot say
 * "not an earlier pool's criteria". dnsmasq itself prefers a range whose `tag:` filter a request
 * matches over one without filters (checked with dnsmasq 2.90, either file order), so a pool whose
 * criteria a request meets serves it even after a pool without criteria; but when several ranges
 * admit a request (a pool without criteria, one with an excluded criterion), dnsmasq picks, and it
 * keeps a client on the address it already had. Everything is rewritten on each change of a criterion;
 * the sections go with the pool.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { criteriaProblems, POOL_CRITERIA, poolCriteria, type PoolCriteria } from '../dhcpv4-pool-criteria.js';
import { dnsmasqCriteriaProblems } from '../linux/dnsmasq-classes.js';
import type { BadParam } from '../stored-table.js';
import { refused } from './convert.js';
import type { UciChange, UciStage } from './uci.js';
import { listOption, stringOption, type UciConfig, type UciSection } from './uci-show.js';

const STEM_RE = /^!?(usp-c\d+)-(vc|vcx|cid|cidx|uc|ucx|mac)$/;
const SECTION_TYPES = ['match', 'vendorclass', 'mac'];

const colons = (hex: string): string => (hex.match(/../g) ?? []).join(':');
const plainHex = (s: string): string => s.replaceAll(':', '').toLowerCase();

/** The pool's tag stem, from its own `list tag` items. */
function stemOf(pool: UciSection): string | undefined {
  for (const t of listOption(pool.options.tag)) {
    const m = STEM_RE.exec(t);
    if (m) return m[1];
  }
  return undefined;
}

/** The pool's `list tag` items the agent wrote. */
function ownTags(pool: UciSection): string[] {
  return listOption(pool.options.tag).filter((t) => STEM_RE.test(t));
}

/** The match/vendorclass/mac sections whose tag the pool uses. */
export function criteriaSections(config: UciConfig, pool: UciSection): UciSection[] {
  const stem = stemOf(pool);
  if (!stem) return [];
  return config.filter((s) => SECTION_TYPES.includes(s.type) && (stringOption(s.options.networkid) ?? '').startsWith(`${stem}-`));
}

/** The pool's criteria parameters, read back from its tags and sections (TR-181 defaults when it has none). */
export function readCriteria(config: UciConfig, pool: UciSection): Record<string, Value> {
  const out: Record<string, Value> = { ...POOL_CRITERIA };
  const stem = stemOf(pool);
  if (!stem) return out;
  const tags = listOption(pool.options.tag);
  const has = (t: string): boolean => tags.includes(t);
  const section = (kind: string): UciSection | undefined =>
    has(`${stem}-${kind}`) || has(`!${stem}-${kind}`) ? config.find((s) => SECTION_TYPES.includes(s.type) && stringOption(s.options.networkid) === `${stem}-${kind}`) : undefined;
  /** The option bytes of a `config match` "<option>,<aa:bb…>" value, plain hex. */
  const matchHex = (s: UciSection | undefined, option: number): string | undefined => {
    const m = /^(\d+),([0-9A-Fa-f:]*)$/.exec(stringOption(s?.options.match) ?? '');
    return s?.type === 'match' && m && Number(m[1]) === option ? plainHex(m[2]) : undefined;
  };
  const vc = section('vc');
  if (vc?.type === 'vendorclass') {
    out.VendorClassID = stringOption(vc.options.vendorclass) ?? '';
    out.VendorClassIDMode = 'Substring';
  } else {
    const hex = matchHex(vc, 60);
    if (hex !== undefined) {
      out.VendorClassID = Buffer.from(hex, 'hex').toString('utf8');
      out.VendorClassIDMode = has(`!${stem}-vcx`) ? 'Exact' : 'Prefix';
    }
  }
  out.VendorClassIDExclude = out.VendorClassID !== '' && has(`!${stem}-vc`);
  out.ClientID = matchHex(section('cid'), 61) ?? '';
  out.UserClassID = matchHex(section('uc'), 77) ?? '';
  const mac = section('mac');
  const bytes = (stringOption(mac?.options.mac) ?? '').split(':');
  if (mac?.type === 'mac' && bytes.length === 6) {
    out.Chaddr = bytes.map((b) => (b === '*' ? '00' : b.toLowerCase())).join(':');
    out.ChaddrMask = bytes.includes('*') ? bytes.map((b) => (b === '*' ? '00' : 'ff')).join(':') : '';
    out.ChaddrExclude = has(`!${stem}-mac`);
  }
  return out;
}

/** What one dhcp-range's tags cannot say: they all must hold, so an exact match can't be excluded. */
function exclusionProblems(c: PoolCriteria, changes: Readonly<Record<string, Value>>): BadParam[] {
  const why = "OpenWrt's dnsmasq.init ANDs a pool's tags (no tag-if in UCI): an exact match (two dhcp-match tags) can't be excluded";
  const bad: BadParam[] = [];
  const param = (exclude: string, value: string): string => (changes[exclude] !== undefined ? exclude : value);
  if (c.vendorClass?.exclude && c.vendorClass.mode === 'Exact') bad.push({ param: param('VendorClassIDExclude', 'VendorClassIDMode'), message: `${why}; Prefix and Substring vendor classes can` });
  if (c.clientId?.exclude) bad.push({ param: param('ClientIDExclude', 'ClientID'), message: why });
  if (c.userClass?.exclude) bad.push({ param: param('UserClassIDExclude', 'UserClassID'), message: why });
  return bad;
}

/** A stem no section or tag of the config uses yet. */
function freeStem(config: UciConfig): string {
  let k = 0;
  for (const s of config) {
    for (const v of [...listOption(s.options.networkid), ...listOption(s.options.tag)]) {
      const m = /^!?usp-c(\d+)-/.exec(v);
      if (m) k = Math.max(k, Number(m[1]));
    }
  }
  return `usp-c${k + 1}`;
}

/** Stages the writes for a pool's criteria once the pool's section name is known. */
export type CriteriaWrite = (stage: UciStage, pool: string) => Promise<void>;

/**
 * The writes that give `pool` (undefined: a pool being added) the criteria of `changes`, or
 * undefined when `changes` names no criterion or leaves them as they are. Throws the 7012 naming
 * every value dnsmasq or the init script cannot express; nothing is written then.
 */
export function planCriteria(config: UciConfig, pool: UciSection | undefined, changes: Readonly<Record<string, Value>>): CriteriaWrite | undefined {
  const own: Record<string, Value> = {};
  for (const p of Object.keys(POOL_CRITERIA)) if (changes[p] !== undefined) own[p] = changes[p];
  if (Object.keys(own).length === 0) return undefined;
  const current = pool ? readCriteria(config, pool) : { ...POOL_CRITERIA };
  const v = { ...current, ...own };
  const c = poolCriteria(v);
  const bad = [...criteriaProblems(v, own), ...dnsmasqCriteriaProblems(v, own)];
  if (bad.length === 0) bad.push(...exclusionProblems(c, own));
  if (bad.length > 0) throw refused(bad);
  if (JSON.stringify(c) === JSON.stringify(poolCriteria(current))) return undefined;
  const stem = (pool && stemOf(pool)) ?? freeStem(config);
  const oldSections = pool ? criteriaSections(config, pool) : [];
  const oldTags = pool ? ownTags(pool) : [];
  const sections: Array<{ type: string; kind: string; option: string; value: string }> = [];
  const tags: string[] = [];
  const exact = (kind: string, option: number, hex: string): void => {
    sections.push({ type: 'match', kind, option: 'match', value: `${option},${colons(hex)}` }, { type: 'match', kind: `${kind}x`, option: 'match', value: `${option},${colons(hex)}:*` });
    tags.push(`${stem}-${kind}`, `!${stem}-${kind}x`);
  };
  if (c.vendorClass) {
    const { value, mode, exclude } = c.vendorClass;
    const hex = Buffer.from(value, 'utf8').toString('hex');
    if (mode === 'Exact') exact('vc', 60, hex);
    else {
      sections.push(mode === 'Substring' ? { type: 'vendorclass', kind: 'vc', option: 'vendorclass', value } : { type: 'match', kind: 'vc', option: 'match', value: `60,${colons(hex)}` });
      tags.push(`${exclude ? '!' : ''}${stem}-vc`);
    }
  }
  if (c.clientId) exact('cid', 61, c.clientId.hex);
  if (c.userClass) exact('uc', 77, c.userClass.hex);
  if (c.chaddr) {
    const { mac, mask, exclude } = c.chaddr;
    sections.push({ type: 'mac', kind: 'mac', option: 'mac', value: mac.map((b, i) => (mask[i] === 0 ? '*' : b.toString(16).padStart(2, '0'))).join(':') });
    tags.push(`${exclude ? '!' : ''}${stem}-mac`);
  }
  return async (stage, name) => {
    for (const t of oldTags) await stage.set({ section: name, option: 'tag', value: t, removeItem: true });
    for (const s of oldSections) await stage.remove(s.name);
    for (const s of sections) {
      const created = await stage.add(s.type);
      const changes: UciChange[] = [
        { section: created, option: 'networkid', value: `${stem}-${s.kind}` },
        { section: created, option: s.option, value: s.value },
      ];
      for (const ch of changes) await stage.set(ch);
    }
    for (const t of tags) await stage.set({ section: name, option: 'tag', value: t, append: true });
    // The pool's own networkid: dnsmasq.init tags its range and its dhcp_option items with it, so the
    // pool's options reach only the clients it serves, not those of the interface's other pool. A
    // networkid someone else chose stays.
    const networkid = pool ? stringOption(pool.options.networkid) : undefined;
    if (tags.length > 0 && networkid === undefined) await stage.set({ section: name, option: 'networkid', value: stem });
    if (tags.length === 0 && networkid === stem) await stage.set({ section: name, option: 'networkid', value: '', remove: true });
  };
}

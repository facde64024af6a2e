/**
 * What odhcp6c puts on the wire for the `sendopts` items the agent writes, and what it refuses,
 * from a real odhcp6c run (recorded: test/fixtures/openwrt/odhcp6c-solicit.sendopts.json and its
 * README entry; odhcp6c is in no Debian package, so it cannot run in CI). The SOLICIT carries each
 * enabled row's Tag and Value as written, no Rapid Commit option (RapidCommit false) and T1/T2 0
 * in IA_NA and IA_PD (SuggestedT1/T2 -1: no value suggested); each argument odhcp6c exits on is
 * one the agent refuses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { odhcp6cSendProblems, sendoptsItem, sendoptsItems, takesHex } from '../../../../platform/openwrt/odhcp6c-sendopts.js';
import type { UciSection } from '../../../../platform/openwrt/uci-show.js';
import { FIXTURES } from './fake-openwrt.js';

interface Recording {
  argv: string[];
  solicit: string;
  refused: Array<{ argv: string[]; exit: number }>;
}
const rec = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'odhcp6c-solicit.sendopts.json'), 'utf8')) as Recording;

/** The options of a DHCPv6 client message (RFC 8415 §8, §21.1): code → data, in order. */
function options(hex: string): Array<[number, Buffer]> {
  const b = Buffer.from(hex, 'hex');
  const out: Array<[number, Buffer]> = [];
  for (let at = 4; at + 4 <= b.length;) {
    const len = b.readUInt16BE(at + 2);
    out.push([b.readUInt16BE(at), b.subarray(at + 4, at + 4 + len)]);
    at += 4 + len;
  }
  return out;
}

describe('odhcp6c on the wire (recorded)', () => {
  const wan6: UciSection = { name: 'wan6', type: 'interface', options: { proto: 'dhcpv6', reqopts: '23 24', sendopts: ['500:abba', '16:0000040e'] } };

  it('gets each sendopts item the agent writes as one -x and sends its Tag with its Value', () => {
    const items = sendoptsItems(wan6);
    expect(rec.argv.filter((a) => a.startsWith('-x'))).toEqual(items.map((i) => `-x${i.raw}`));
    const sent = new Map(options(rec.solicit).map(([code, data]) => [code, data.toString('hex').toUpperCase()]));
    expect(Buffer.from(rec.solicit, 'hex')[0]).toBe(1); // SOLICIT
    for (const i of items) expect(sent.get(i.tag!)).toBe(i.value);
  });

  it('sends no Rapid Commit and T1/T2 0 (no preference) in IA_NA and IA_PD', () => {
    const opts = options(rec.solicit);
    expect(opts.map(([code]) => code)).not.toContain(14);
    const ias = opts.filter(([code]) => code === 3 || code === 25);
    expect(ias.map(([code]) => code)).toEqual([3, 25]);
    for (const [, data] of ias) expect([data.readUInt32BE(4), data.readUInt32BE(8)]).toEqual([0, 0]);
  });

  it('exits on every item the agent refuses', () => {
    const empty: UciSection = { name: 'wan6', type: 'interface', options: {} };
    const refusedByAgent = (argv: string[]): boolean => {
      const vendorclass = argv.find((a) => a.startsWith('-V'));
      const s: UciSection = vendorclass ? { ...empty, options: { vendorclass: vendorclass.slice(2) } } : empty;
      const rows = argv.filter((a) => a.startsWith('-x')).map((a) => a.slice(2).split(':'));
      const tags = rows.map(([t]) => Number(t));
      // Tag is the table's unique key: a second row with one is 7025 before anything else.
      if (new Set(tags).size < tags.length) return true;
      return rows.some(([t, v]) => {
        const row = sendoptsItem(Number(t), v!, true);
        return !takesHex(Number(t)) || odhcp6cSendProblems(s, [row], row).length > 0;
      });
    };
    expect(rec.refused.length).toBeGreaterThan(0);
    for (const r of rec.refused) {
      expect(r.exit, r.argv.join(' ')).toBe(1);
      expect(refusedByAgent(r.argv), r.argv.join(' ')).toBe(true);
    }
    expect(refusedByAgent(rec.argv)).toBe(false);
  });
});

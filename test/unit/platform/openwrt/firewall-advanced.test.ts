/**
 * Device.Firewall Config Advanced on OpenWrt (platform/openwrt/firewall-advanced*.ts) with the
 * stand-in `uci` and `/etc/init.d/firewall` of fake-openwrt.ts (the hand-written default firewall
 * config, uci-show-firewall.txt) and the agent's in-memory store: the three fw4 include files and
 * their `config include` sections, written when Config becomes Advanced, rewritten (a reload
 * only) when a Rule changes, removed with Config Low or Enable false; refusals (7012) write
 * nothing; a failing reload puts the files and sections back (7003). The files' text is checked
 * by the real `nft -c` inside a table shaped like fw4's default one (wan zone chains jumping to
 * reject chains, the includes where fw4 places them).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { FW4_ADVANCED_INCLUDES } from '../../../../platform/openwrt/firewall-advanced-includes.js';
import { refusal } from '../refusal.js';
import { fakeOpenWrt, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const FIREWALL = fs.readFileSync(`${FIXTURES}uci-show-firewall.txt`, 'utf8');
const RELOAD = ['/etc/init.d/firewall', 'reload'];
const FW = 'Device.Firewall.';
const LEVEL = 'Device.Firewall.Level.{i}.';
const CHAIN = 'Device.Firewall.Chain.{i}.';
const RULE = 'Device.Firewall.Chain.{i}.Rule.{i}.';
const WAN = 'cfg03dc81';
const nft = ['/usr/sbin/nft', '/sbin/nft'].find((p) => fs.existsSync(p)) ?? 'nft';

let fx: PlatformFixture;
let dir: string;
const file = (i: number): string => path.join(dir, FW4_ADVANCED_INCLUDES[i]!.file);
const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a[0] === RELOAD[0]);

/** `uci show firewall` once the three include sections are committed (and the wan policies as given). */
function withSections(input = 'REJECT', forward = 'REJECT'): string {
  const lines = FW4_ADVANCED_INCLUDES.flatMap((inc, i) => [
    `firewall.${inc.section}=include`,
    `firewall.${inc.section}.type='nftables'`,
    `firewall.${inc.section}.path='${file(i)}'`,
    `firewall.${inc.section}.position='${inc.position}'`,
    ...(inc.chain ? [`firewall.${inc.section}.chain='${inc.chain}'`] : []),
  ]);
  return `${FIREWALL.replace(`firewall.${WAN}.input='REJECT'`, `firewall.${WAN}.input='${input}'`).replace(`firewall.${WAN}.forward='REJECT'`, `firewall.${WAN}.forward='${forward}'`)}${lines.join('\n')}\n`;
}

/** The stand-in reload fails (exit 1, as fw4 does when nft refuses its ruleset) while `on`. */
function failReload(on: boolean): void {
  const script = path.join(fx.fake.bin, 'etc', 'init.d', 'firewall');
  const log = JSON.stringify(path.join(fx.fake.dir, 'calls.log'));
  const exit = on ? "process.stderr.write('Error: Could not process rule\\n'); process.exit(1);" : '';
  fs.writeFileSync(script, `#!/usr/bin/env node\nrequire('fs').appendFileSync(${log}, JSON.stringify(['/etc/init.d/firewall', ...process.argv.slice(2)]) + '\\n');\n${exit}\n`, { mode: 0o755 });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-afw-'));
  fx = openWrt(fakeOpenWrt(), { store: new DataStore(), fw4IncludeDir: dir, firewallConfigFile: '/nonexistent/firewall' });
});
afterAll(() => {
  fx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('openwrt platform: Device.Firewall Config Advanced as fw4 includes', () => {
  let level = 0;
  let chain = 0;

  it('serves Config Advanced and AdvancedLevel with the store; a Level brings its Chain; nothing written under Low', async () => {
    expect(fx.binding(FW).writable).toEqual(['Enable', 'Config', 'AdvancedLevel']);
    fx.fake.clearLog();
    level = await fx.binding(LEVEL).add!([], { DefaultPolicy: 'Drop' }, {});
    const values = (await fx.values(FW)).get(`${FW}Level.${level}.`)!;
    chain = Number(String(values.Chain).split('.').pop());
    await fx.binding(RULE).add!([chain], { Enable: true, Protocol: 6, DestPort: 22, SourceIP: '198.51.100.0', SourceMask: '198.51.100.0/24', Target: 'Accept' }, {});
    await fx.binding(RULE).add!([chain], { Enable: true, Protocol: 17, DestPort: 5000, DestPortRangeMax: 5010, Target: 'Reject' }, {});
    expect(writes()).toEqual([]);
    expect(fs.existsSync(file(0))).toBe(false);
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Enable: true, Config: 'Low', AdvancedLevel: '' });
  });

  it('refuses with 7012 and writes nothing: High, Policy, Advanced without a Level, a Level that does not exist', async () => {
    fx.fake.clearLog();
    for (const changes of [{ Config: 'High' }, { Config: 'Policy' }, { Config: 'Advanced' }, { AdvancedLevel: 'Device.Firewall.Level.9' }] as Array<Record<string, string>>) {
      const e = await refusal(() => fx.binding(FW).set!([], changes, {}));
      expect(e.code, JSON.stringify(changes)).toBe(ErrorCode.InvalidValue);
    }
    expect(writes()).toEqual([]);
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Config: 'Low' });
  });

  it('Config Advanced writes the three files, creates the include sections in one commit, reloads fw4', async () => {
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('firewall', { text: withSections() });
    await fx.binding(FW).set!([], { Config: 'Advanced', AdvancedLevel: `Device.Firewall.Level.${level}` }, {});
    const sets = FW4_ADVANCED_INCLUDES.flatMap((inc, i) => [
      ['uci', 'set', `firewall.${inc.section}=include`],
      ['uci', 'set', `firewall.${inc.section}.type=nftables`],
      ['uci', 'set', `firewall.${inc.section}.path=${file(i)}`],
      ['uci', 'set', `firewall.${inc.section}.position=${inc.position}`],
      ...(inc.chain ? [['uci', 'set', `firewall.${inc.section}.chain=${inc.chain}`]] : []),
    ]);
    expect(writes()).toEqual([...sets, ['uci', 'commit', 'firewall'], RELOAD]);
    const rules = (i: number): string[] =>
      fs
        .readFileSync(file(i), 'utf8')
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'));
    expect(rules(0)).toEqual([`chain usp_chain_${chain} {`, '\tip saddr 198.51.100.0/24 meta l4proto 6 th dport 22 accept', '\tmeta l4proto 17 th dport 5000-5010 reject', '}']);
    expect(rules(1)).toContain(`jump usp_chain_${chain}`);
    expect(rules(1).at(-1)).toBe('drop');
    expect(rules(2)).toEqual(expect.arrayContaining([`jump usp_chain_${chain}`, 'ct status dnat accept comment "NAT PortMapping"', 'drop']));
    const fw = (await fx.values(FW)).get(FW)!;
    expect(fw).toMatchObject({ Enable: true, Config: 'Advanced', AdvancedLevel: `Device.Firewall.Level.${level}` });
    // No /etc/config/firewall here: LastChange is when the include files were written.
    expect(fw.LastChange).not.toBe('0001-01-01T00:00:00Z');
  });

  it('the files load in a table shaped like fw4’s, where fw4 puts the includes (real nft -c)', () => {
    const table = `usp_owrt_afw_${process.pid}`;
    const skeleton = path.join(dir, 'fw4-shaped.nft');
    // fw4's default ruleset for a lan zone on br-lan and a wan zone on eth1.2, cut to the chains the includes meet.
    fs.writeFileSync(
      skeleton,
      [
        `table inet ${table} {`,
        '  chain input {',
        '    type filter hook input priority filter; policy drop;',
        '    iif "lo" accept',
        '    ct state vmap { established : accept, related : accept }',
        '    iifname "br-lan" accept',
        '    iifname "eth1.2" jump input_wan',
        '  }',
        '  chain forward {',
        '    type filter hook forward priority filter; policy drop;',
        '    ct state vmap { established : accept, related : accept }',
        '    iifname "br-lan" accept',
        '    iifname "eth1.2" jump forward_wan',
        '  }',
        '  chain handle_reject {',
        '    meta l4proto tcp reject with tcp reset',
        '    reject with icmpx type port-unreachable',
        '  }',
        '  chain input_wan {',
        `    include "${file(1)}"`,
        '    udp dport 68 accept comment "!fw4: Allow-DHCP-Renew"',
        '    jump reject_from_wan',
        '  }',
        '  chain forward_wan {',
        `    include "${file(2)}"`,
        '    jump reject_to_wan',
        '  }',
        '  chain reject_from_wan {',
        '    iifname "eth1.2" counter jump handle_reject',
        '  }',
        '  chain reject_to_wan {',
        '    oifname "eth1.2" counter jump handle_reject',
        '  }',
        `  include "${file(0)}"`,
        '}',
        '',
      ].join('\n'),
    );
    execFileSync(nft, ['-c', '-f', skeleton], { stdio: 'pipe' });
  });

  it('a Rule change while Advanced rewrites the files and reloads fw4, no UCI write; unchanged: nothing run', async () => {
    fx.fake.clearLog();
    await fx.binding(RULE).add!([chain], { Enable: true, IPVersion: 6, Protocol: 58, Target: 'Accept' }, {});
    expect(writes()).toEqual([RELOAD]);
    expect(fs.readFileSync(file(0), 'utf8')).toContain('meta nfproto ipv6 meta l4proto 58 accept');
    fx.fake.clearLog();
    await fx.binding(FW).set!([], { Config: 'Advanced' }, {});
    expect(writes()).toEqual([]);
  });

  it('deleting the active Level answers 7024; a Chain a Rule jumps to goes in the chains file', async () => {
    const e = await refusal(() => fx.binding(LEVEL).delete!([level], {}));
    expect(e.code).toBe(ErrorCode.DeleteFailure);
    const other = await fx.binding(CHAIN).add!([], { Enable: true }, {});
    await fx.binding(RULE).add!([chain], { Enable: true, Target: 'TargetChain', TargetChain: `Device.Firewall.Chain.${other}` }, {});
    expect(fs.readFileSync(file(0), 'utf8')).toContain(`jump usp_chain_${other}`);
    expect(fs.readFileSync(file(0), 'utf8')).toContain(`chain usp_chain_${other} {`);
  });

  it('a reload that fails puts the files and the sections back and answers 7003', async () => {
    const before = fs.readFileSync(file(1), 'utf8');
    fx.fake.respondUci('firewall', { text: withSections() });
    fx.fake.respondUciAfterCommit('firewall', { text: withSections('ACCEPT', 'ACCEPT') });
    failReload(true);
    fx.fake.clearLog();
    try {
      const e = await refusal(() => fx.binding(FW).set!([], { Enable: false }, {}));
      expect(e.code).toBe(ErrorCode.InternalError);
    } finally {
      failReload(false);
    }
    // Enable false took the sections out and opened the zone; the reload failed: the policies put back, sections kept.
    expect(writes()).toEqual([
      ['uci', 'set', `firewall.${WAN}.input=ACCEPT`],
      ['uci', 'set', `firewall.${WAN}.forward=ACCEPT`],
      ...FW4_ADVANCED_INCLUDES.map((inc) => ['uci', 'delete', `firewall.${inc.section}`]),
      ['uci', 'commit', 'firewall'],
      RELOAD,
      ['uci', 'set', `firewall.${WAN}.input=REJECT`],
      ['uci', 'set', `firewall.${WAN}.forward=REJECT`],
      ['uci', 'commit', 'firewall'],
      RELOAD,
    ]);
    expect(fs.readFileSync(file(1), 'utf8')).toBe(before);
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Config: 'Advanced' });
  });

  it('Config Low deletes the sections and the files; fw4’s zone policy applies again', async () => {
    fx.fake.respondUci('firewall', { text: withSections() });
    fx.fake.respondUciAfterCommit('firewall', { text: FIREWALL });
    fx.fake.clearLog();
    await fx.binding(FW).set!([], { Config: 'Low' }, {});
    expect(writes()).toEqual([...FW4_ADVANCED_INCLUDES.map((inc) => ['uci', 'delete', `firewall.${inc.section}`]), ['uci', 'commit', 'firewall'], RELOAD]);
    expect(fs.existsSync(file(0)) || fs.existsSync(file(1)) || fs.existsSync(file(2))).toBe(false);
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Enable: true, Config: 'Low', AdvancedLevel: `Device.Firewall.Level.${level}`, LastChange: '0001-01-01T00:00:00Z' });
  });
});

/**
 * Device.Firewall Config Advanced on OpenWrt, with real packets: fw4 cannot run here, so the
 * router namespace gets a table shaped like the one fw4 builds for its default lan and wan zones
 * (base chains with policy drop, established/related accepted, per-zone chains jumping to
 * reject chains; written for this test from fw4's ruleset template, not recorded), loaded
 * the way fw4 loads it (one `nft -f` that replaces the table), with the agent's three include
 * files (platform/openwrt/firewall-advanced-includes.ts) where fw4's include sections put them.
 * Real TCP connections between WAN, router and LAN namespaces show that:
 *
 * - a Level Rule's accept (also through a TargetChain jump) lets a connection in past fw4's
 *   drop policies: the verdict is final for fw4's table;
 * - the Level's DefaultPolicy ends the wan zone's chain: an fw4 accept rule below it is never
 *   reached (Drop: silence; Reject: the connection refused);
 * - traffic the LAN sends stays under fw4's lan zone.
 * Needs root, nft and python3.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvancedPlan } from '../../platform/linux/firewall-advanced-rules.js';
import { Fw4AdvancedIncludes } from '../../platform/openwrt/firewall-advanced-includes.js';
import { NetNamespace, type PeerNamespace } from '../peers/netns.js';
import { joinWanAndLan, startEcho } from '../peers/routed-wan-lan.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-owafw-${tag}`, `10.245.${tag % 250}`, `uspowa${tag}`, 'ctl0');
const wan = `usp-owafww-${tag}`;
const lan = `usp-owafwl-${tag}`;
const ROUTER_WAN = '203.0.113.1';
const WAN_HOST = '203.0.113.2';
const ROUTER_LAN = '192.168.63.1';
const LAN_HOST = '192.168.63.10';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owafw-'));
const includes = new Fw4AdvancedIncludes(dir);
const peers: PeerNamespace[] = [];
const children: ChildProcess[] = [];

function sh(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const CLIENT = [
  'import socket, sys',
  's = socket.socket()',
  's.settimeout(1.5)',
  'try:',
  '    s.connect((sys.argv[1], int(sys.argv[2])))',
  "    s.send(b'x\\n')",
  "    print('ok' if s.recv(64) == b'x\\n' else 'FAIL short')",
  'except Exception as e:',
  "    print('FAIL', type(e).__name__)",
].join('\n');

const reach = (ns: string, host: string, port: number): string => sh('ip', 'netns', 'exec', ns, 'python3', '-c', CLIENT, host, String(port)).trim();

/** fw4's table for lan (lan0, input/forward ACCEPT) and wan (wan0, REJECT), with the agent's includes, as one replacing `nft -f`. */
function loadFw4Shaped(): void {
  const file = path.join(dir, 'fw4.nft');
  fs.writeFileSync(
    file,
    [
      'table inet fw4',
      'flush table inet fw4',
      'table inet fw4 {',
      '  chain input {',
      '    type filter hook input priority filter; policy drop;',
      '    iif "lo" accept',
      '    ct state vmap { established : accept, related : accept }',
      '    iifname "lan0" jump input_lan',
      '    iifname "wan0" jump input_wan',
      '  }',
      '  chain forward {',
      '    type filter hook forward priority filter; policy drop;',
      '    ct state vmap { established : accept, related : accept }',
      '    iifname "lan0" jump forward_lan',
      '    iifname "wan0" jump forward_wan',
      '  }',
      '  chain handle_reject {',
      '    meta l4proto tcp reject with tcp reset',
      '    reject with icmpx type port-unreachable',
      '  }',
      '  chain input_lan {',
      '    accept',
      '  }',
      '  chain forward_lan {',
      '    oifname "wan0" accept',
      '  }',
      '  chain input_wan {',
      `    include "${includes.file(1)}"`,
      '    tcp dport 7003 accept comment "an fw4 rule below the include"',
      '    jump reject_from_wan',
      '  }',
      '  chain forward_wan {',
      `    include "${includes.file(2)}"`,
      '    jump reject_to_wan',
      '  }',
      '  chain reject_from_wan {',
      '    iifname "wan0" counter jump handle_reject',
      '  }',
      '  chain reject_to_wan {',
      '    oifname "wan0" counter jump handle_reject',
      '  }',
      `  include "${includes.file(0)}"`,
      '}',
      '',
    ].join('\n'),
  );
  sh('ip', 'netns', 'exec', router.name, 'nft', '-f', file);
}

/** Level chain 1: TCP 7001 accepted, TCP 7002 jumps to chain 2 (accepts all). */
function plan(defaultPolicy: AdvancedPlan['defaultPolicy']): AdvancedPlan {
  return {
    levelChain: 1,
    defaultPolicy,
    portMappingEnabled: true,
    chains: [
      {
        n: 1,
        enable: true,
        rules: [
          [1, { values: { Enable: true, Protocol: 6, DestPort: 7001, Target: 'Accept', Order: 1 } }],
          [2, { values: { Enable: true, Protocol: 6, DestPort: 7002, Target: 'TargetChain', TargetChain: 'Device.Firewall.Chain.2', Order: 2 } }],
        ],
      },
      { n: 2, enable: true, rules: [[1, { values: { Enable: true, Target: 'Accept', Order: 1 } }]] },
    ],
  };
}

beforeAll(async () => {
  peers.push(...joinWanAndLan(router, { wan, lan, routerWan: ROUTER_WAN, wanHost: WAN_HOST, routerLan: ROUTER_LAN, lanHost: LAN_HOST, lanNet: '192.168.63.0/24' }));
  await startEcho(children, router.name, 7001, 7002, 7003);
  await startEcho(children, lan, 7001, 7003);
  await startEcho(children, wan, 7004);
  await includes.write(plan('Drop'));
  loadFw4Shaped();
}, 60_000);

afterAll(() => {
  for (const c of children) c.kill();
  for (const p of peers) p.remove();
  router.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('OpenWrt Config Advanced inside an fw4-shaped table: real packets', () => {
  it('the Level’s accepts pass fw4’s drop policies; its DefaultPolicy Drop ends the wan zone before fw4’s own rules', () => {
    expect(reach(wan, ROUTER_WAN, 7001)).toBe('ok');
    expect(reach(wan, ROUTER_WAN, 7002)).toBe('ok');
    expect(reach(wan, ROUTER_WAN, 7003)).toBe('FAIL TimeoutError');
    expect(reach(wan, LAN_HOST, 7001)).toBe('ok');
    expect(reach(wan, LAN_HOST, 7003)).toBe('FAIL TimeoutError');
    // The LAN stays under fw4's lan zone.
    expect(reach(lan, ROUTER_LAN, 7003)).toBe('ok');
    expect(reach(lan, WAN_HOST, 7004)).toBe('ok');
  });

  it('DefaultPolicy Reject refuses what no Rule accepted, after a reload as fw4 does it', async () => {
    await includes.write(plan('Reject'));
    loadFw4Shaped();
    expect(reach(wan, ROUTER_WAN, 7003)).toBe('FAIL ConnectionRefusedError');
    expect(reach(wan, ROUTER_WAN, 7001)).toBe('ok');
  });
});

/**
 * The fw4 include files of OpenWrt's port mappings on all interfaces (nat-all-interfaces.ts): the
 * rule text, checked by the real `nft -c -f` inside a table shaped like fw4's (`inet`, a
 * `dstnat` nat chain and a `forward` filter chain including the files), the atomic replacement
 * with its undo, and the `config include` sections staged once.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Value } from '../../../../datamodel/value/Value.js';
import { allInterfacesRules, forwardRule, Fw4PortMappingIncludes, FW4_INCLUDES } from '../../../../platform/openwrt/nat-all-interfaces.js';
import type { UciChange, UciStage } from '../../../../platform/openwrt/uci.js';
import { parseUciShow } from '../../../../platform/openwrt/uci-show.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-nat-all-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const row = (v: Record<string, Value>): Record<string, Value> => ({ Enable: true, AllInterfaces: true, RemoteHost: '', ExternalPortEndRange: 0, InternalPort: 0, Protocol: 'TCP', ...v });
const ROWS = [
  row({ ExternalPort: 8080, InternalPort: 80, InternalClient: '192.168.1.50' }),
  row({ ExternalPort: 27015, ExternalPortEndRange: 27030, Protocol: 'UDP', InternalClient: '192.168.1.60', RemoteHost: '203.0.113.7' }),
  row({ ExternalPort: 3000, ExternalPortEndRange: 3002, InternalPort: 5000, InternalClient: '192.168.1.70' }),
  row({ ExternalPort: 0, Protocol: 'UDP', InternalClient: '192.168.1.80' }),
  row({ ExternalPort: 9000, InternalClient: '' }), // no client: no rule
  row({ ExternalPort: 9001, InternalClient: '192.168.1.90', Enable: false }), // disabled: no rule
];
const nft = ['/usr/sbin/nft', '/sbin/nft'].find((p) => fs.existsSync(p)) ?? 'nft';

describe('OpenWrt port mappings on all interfaces: fw4 include files', () => {
  it('makes a DNAT on any interface and a forward accept to the client for each installable mapping', () => {
    const { dstnat, forward } = allInterfacesRules(ROWS);
    const rules = (t: string): string[] => t.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(rules(dstnat)).toEqual([
      'meta nfproto ipv4 tcp dport 8080 dnat ip to 192.168.1.50:80 comment "usp-agent: NAT.PortMapping on all interfaces"',
      'meta nfproto ipv4 ip saddr 203.0.113.7 udp dport 27015-27030 dnat ip to 192.168.1.60 comment "usp-agent: NAT.PortMapping on all interfaces"',
      'meta nfproto ipv4 tcp dport 3000-3002 dnat ip to tcp dport map { 3000 : 192.168.1.70 . 5000, 3001 : 192.168.1.70 . 5001, 3002 : 192.168.1.70 . 5002 } comment "usp-agent: NAT.PortMapping on all interfaces"',
      'meta nfproto ipv4 meta l4proto udp dnat ip to 192.168.1.80 comment "usp-agent: NAT.PortMapping on all interfaces"',
    ]);
    expect(rules(forward)).toEqual([
      'meta nfproto ipv4 ip daddr 192.168.1.50 tcp dport 80 ct status dnat accept comment "usp-agent: NAT.PortMapping on all interfaces"',
      'meta nfproto ipv4 ip saddr 203.0.113.7 ip daddr 192.168.1.60 udp dport 27015-27030 ct status dnat accept comment "usp-agent: NAT.PortMapping on all interfaces"',
      'meta nfproto ipv4 ip daddr 192.168.1.70 tcp dport 5000-5002 ct status dnat accept comment "usp-agent: NAT.PortMapping on all interfaces"',
      'meta nfproto ipv4 ip daddr 192.168.1.80 meta l4proto udp ct status dnat accept comment "usp-agent: NAT.PortMapping on all interfaces"',
    ]);
    expect(forwardRule(row({ ExternalPort: 443, InternalClient: '192.168.1.5' }))).toContain('tcp dport 443 ct status');
  });

  it('writes files that the real nft accepts inside fw4-shaped chains, and undoes a write', async () => {
    const includes = new Fw4PortMappingIncludes(path.join(dir, 'etc'));
    const undoFirst = await includes.write(ROWS);
    const file = (i: number): string => path.join(dir, 'etc', FW4_INCLUDES[i]!.file);
    const skeleton = path.join(dir, 'fw4-skeleton.nft');
    fs.writeFileSync(
      skeleton,
      [
        'table inet usp_nat_all_check {',
        '  chain dstnat {',
        '    type nat hook prerouting priority dstnat; policy accept;',
        `    include "${file(0)}"`,
        '  }',
        '  chain forward {',
        '    type filter hook forward priority filter; policy drop;',
        `    include "${file(1)}"`,
        '    ct state vmap { established : accept, related : accept }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    // -c: checked by the kernel in a transaction that is never committed.
    execFileSync(nft, ['-c', '-f', skeleton], { stdio: 'pipe' });
    const undoSecond = await includes.write([]);
    expect(fs.readFileSync(file(0), 'utf8')).not.toContain('dnat');
    execFileSync(nft, ['-c', '-f', skeleton], { stdio: 'pipe' });
    await undoSecond();
    expect(fs.readFileSync(file(0), 'utf8')).toContain('192.168.1.50:80');
    await undoFirst();
    expect(fs.existsSync(file(0))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'etc'))).toEqual([]);
  });

  it('stages the two named include sections only where the config lacks them', async () => {
    const includes = new Fw4PortMappingIncludes('/etc/usp-agent');
    const staged: string[] = [];
    const stage = {
      create: (name: string, type: string) => Promise.resolve(void staged.push(`${name}=${type}`)),
      set: (c: UciChange) => Promise.resolve(void staged.push(`${c.section}.${c.option}=${c.value}`)),
    } as unknown as UciStage;
    await includes.stageSections(
      stage,
      parseUciShow(
        "firewall.usp_portmap_forward=include\nfirewall.usp_portmap_forward.type='nftables'\nfirewall.usp_portmap_forward.path='/etc/usp-agent/fw4-portmapping-forward.nft'\nfirewall.usp_portmap_forward.position='chain-prepend'\nfirewall.usp_portmap_forward.chain='forward'\n",
      ),
    );
    expect(staged).toEqual([
      'usp_portmap_dstnat=include',
      'usp_portmap_dstnat.type=nftables',
      'usp_portmap_dstnat.path=/etc/usp-agent/fw4-portmapping-dstnat.nft',
      'usp_portmap_dstnat.position=chain-append',
      'usp_portmap_dstnat.chain=dstnat',
    ]);
  });
});

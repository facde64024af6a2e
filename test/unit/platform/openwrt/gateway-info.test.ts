/**
 * Device.GatewayInfo. on OpenWrt: the package's udhcpc hook (openwrt/files/usp-agent.udhcpc-user),
 * run by busybox sh with the environment udhcpc gives netifd's dhcp.script, keeps option 125 per
 * interface; the platform reads it for the interfaces the recorded `network.interface dump` shows
 * bound by DHCP (wan). The option payloads are written here; the busybox udhcpc side (that it
 * hands the hook `opt125` as hex) runs against a real dnsmasq in test/integration/linux-gateway-info.test.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { boundOption125 } from '../../../../platform/openwrt/gateway-info.js';
import { fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const HOOK = fileURLToPath(new URL('../../../../openwrt/files/usp-agent.udhcpc-user', import.meta.url));
const GI = 'Device.GatewayInfo.';
const EMPTY = { ManufacturerOUI: '', ProductClass: '', SerialNumber: '', ManagementProtocol: '', EndpointID: '' };

/** Option 125 with the Broadband Forum's block (enterprise 3561): sub-options 4, 5, 6. */
function option125(oui: string, serial: string, productClass: string): string {
  const data = Buffer.concat(
    (
      [
        [4, oui],
        [5, serial],
        [6, productClass],
      ] as const
    ).map(([code, text]) => Buffer.concat([Buffer.from([code, text.length]), Buffer.from(text, 'latin1')])),
  );
  const head = Buffer.alloc(5);
  head.writeUInt32BE(3561, 0);
  head[4] = data.length;
  return Buffer.concat([head, data]).toString('hex');
}

/** Runs the hook as dhcp.script sources it: busybox sh, event in $1, udhcpc's variables in the environment. */
function hook(event: string, env: Record<string, string>): void {
  execFileSync('busybox', ['sh', '-c', `. "${HOOK}"`, 'dhcp.script', event], { env: { PATH: process.env.PATH, ...env } });
}

describe('openwrt platform: GatewayInfo from the udhcpc hook', () => {
  let fx: PlatformFixture | undefined;
  afterEach(() => fx?.close());

  it('is empty before a lease, the gateway once the hook recorded a bound lease of wan, empty after deconfig', async () => {
    const fake = fakeOpenWrt();
    const state = path.join(fake.dir, 'opt125');
    fx = openWrt(fake, { opt125StateDir: state });
    expect((await fx.values(GI)).get(GI)).toEqual(EMPTY);
    hook('bound', { INTERFACE: 'wan', opt125: option125('00D09E', 'GW-0042', 'FWA-5G'), USP_AGENT_OPT125_STATE: state });
    expect(fs.readdirSync(state)).toEqual(['wan']);
    expect((await fx.values(GI)).get(GI)).toEqual({ ManufacturerOUI: '00D09E', ProductClass: 'FWA-5G', SerialNumber: 'GW-0042', ManagementProtocol: 'CWMP', EndpointID: '' });
    hook('renew', { INTERFACE: 'wan', opt125: option125('00D09E', 'GW-0043', 'FWA-5G'), USP_AGENT_OPT125_STATE: state });
    expect((await fx.values(GI)).get(GI)).toMatchObject({ SerialNumber: 'GW-0043' });
    hook('deconfig', { INTERFACE: 'wan', USP_AGENT_OPT125_STATE: state });
    expect(fs.readdirSync(state)).toEqual([]);
    expect((await fx.values(GI)).get(GI)).toEqual(EMPTY);
  });

  it('records an empty file for a lease without option 125, and nothing for a missing or path-like interface name', () => {
    const fake = fakeOpenWrt();
    const state = path.join(fake.dir, 'opt125');
    try {
      hook('bound', { INTERFACE: 'wan', USP_AGENT_OPT125_STATE: state });
      expect(fs.readFileSync(path.join(state, 'wan'), 'utf8')).toBe('\n');
      hook('bound', { INTERFACE: '../x', opt125: 'aa', USP_AGENT_OPT125_STATE: state });
      hook('bound', { opt125: 'aa', USP_AGENT_OPT125_STATE: state });
      expect(fs.readdirSync(state)).toEqual(['wan']);
    } finally {
      fake.cleanup();
    }
  });

  it('takes only up interfaces with proto dhcp, in netifd order, whose option names the gateway', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-gi-'));
    try {
      const hex = option125('00D09E', 'GW-1', 'FWA-5G');
      for (const name of ['lan', 'wanb', 'down', 'wan']) fs.writeFileSync(path.join(dir, name), `${hex}\n`);
      fs.writeFileSync(path.join(dir, 'wanempty'), '\n');
      const dump = {
        interface: [
          { interface: 'lan', proto: 'static', up: true },
          { interface: 'down', proto: 'dhcp', up: false },
          { interface: 'wanempty', proto: 'dhcp', up: true },
          { interface: '../wan', proto: 'dhcp', up: true },
          { interface: 'wan', proto: 'dhcp', up: true },
          { interface: 'wanb', proto: 'dhcp', up: true },
        ],
      };
      expect(await boundOption125(dump, dir)).toBe(hex);
      expect(await boundOption125({ interface: dump.interface.slice(0, 4) }, dir)).toBeUndefined();
      expect(await boundOption125({}, dir)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

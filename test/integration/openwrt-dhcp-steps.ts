/**
 * What the OpenWrt DHCP tests share: the recorded `uci -q -X show dhcp` answers with their
 * leasefile pointed at the recorded lease file (the one value changed in a recording, so the
 * agent reads that file the way it reads the one a router's dnsmasq writes), the ubus event with
 * which procd reloads dnsmasq, and the commands of the agent's log that change something.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { DHCP_EVENT, FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

/** A recorded `uci -q -X show dhcp` from the fixtures, its leasefile pointed at the recorded lease file. */
export function dhcpShow(file: string): { text: string } {
  const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
  const leases = path.join(FIXTURES, 'dhcp.leases');
  expect(text).toContain("leasefile='/tmp/dhcp.leases'");
  return { text: text.replace("leasefile='/tmp/dhcp.leases'", `leasefile='${leases}'`) };
}

/** The config.change event the agent sends after `uci commit dhcp`: procd reloads dnsmasq. */
export const DHCP_RELOAD = ['ubus', 'call', ...DHCP_EVENT.split(' ')];

/** The commands in the stand-ins' log that write: uci other than reads (`uci -q ...`), and ubus service calls. */
export function dhcpWrites(fake: FakeOpenWrt): string[][] {
  return fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));
}

/** The stand-ins answering `uci show dhcp` with the recording `file` (see dhcpShow), and a real agent started on them. */
export async function startOnRecordedDhcp(file: string): Promise<{ fake: FakeOpenWrt; f: AgentFixture }> {
  const fake = fakeOpenWrt();
  fake.respondUci('dhcp', dhcpShow(file));
  return { fake, f: await startOpenWrtAgent(fake) };
}

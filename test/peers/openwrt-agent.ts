/**
 * A real in-process agent on `--platform openwrt` whose commands (ubus, uci, ...) are the stand-ins
 * of a FakeOpenWrt, put first on PATH for the agent's life: what the OpenWrt integration tests
 * drive with a Controller over WebSocket. `close()` stops the agent, puts PATH back and removes
 * the stand-ins.
 */
import path from 'node:path';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import type { FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';
import { startAgent, type AgentFixture } from './agent-fixture.js';

/**
 * `packetCounters` as `--packet-counters`: off by default, so the machine's own nft (on PATH after
 * the stand-ins) never counts on devices that exist only in the recordings; a fake made with
 * `{ nft: true }` brings a stand-in for it.
 */
export async function startOpenWrtAgent(fake: FakeOpenWrt, opts: { packetCounters?: boolean; vendorPrefix?: string; extra?: DefaultsFile; alarmCheckMs?: number } = {}): Promise<AgentFixture> {
  const pathBefore = process.env.PATH;
  const restore = (): void => {
    process.env.PATH = pathBefore;
    fake.cleanup();
  };
  process.env.PATH = [fake.bin, pathBefore ?? ''].join(path.delimiter);
  let f: AgentFixture;
  try {
    // Absolute commands (/etc/init.d/firewall) are the fake's too.
    f = await startAgent({
      platform: 'openwrt',
      vendorPrefix: opts.vendorPrefix,
      extra: opts.extra,
      agent: { packetCounters: opts.packetCounters ?? false, platformCommandPath: fake.bin, alarmCheckMs: opts.alarmCheckMs },
    });
  } catch (e) {
    restore();
    throw e;
  }
  return {
    ...f,
    close: async () => {
      try {
        await f.close();
      } finally {
        restore();
      }
    },
  };
}

import { defineConfig } from 'vitest/config';

/**
 * Test files that run one at a time, after all the others: each either keeps both cores busy for
 * seconds (a fleet of simulated gateways under fake timers, the fuzzer, the Docker image build) or
 * starts a program per request (the Wi-Fi stand-ins replay recorded iw/hostapd_cli answers as one
 * Node process per call), or counts on multicast arriving in time (SSDP byebyes, mDNS goodbyes).
 * Four files at a time on a heavily loaded two-core machine, a fleet test, a Wi-Fi stand-in test
 * and the SSDP byebye test missed their limits; the rest of this list is of the same kind.
 */
const ONE_AT_A_TIME = [
  'test/docker/**/*.test.ts',
  'test/integration/fleet-*.test.ts',
  'test/integration/fuzz-agent.test.ts',
  'test/integration/linux-wifi-*.test.ts',
  'test/integration/*upnp*.test.ts',
  'test/integration/*dnssd*.test.ts',
  'test/unit/platform/simulated/fleet-*.test.ts',
  'test/unit/platform/simulated/churn-*.test.ts',
];

/**
 * Most test files wait far more than they compute: on an agent process to start, a broker, a
 * namespace, a DHCP exchange. One at a time, the suite took ~1,500 s on a two-core machine while
 * its processes used ~800 s of CPU, so three files run at once. They can: every file names its
 * namespaces, interfaces and temporary directories after its own process (test/peers/netns.ts)
 * and takes its ports from freePort().
 */
const FILES_AT_ONCE = 3;

// Tests wait for the event they check, each with its own limit, and never assert speed (bench/
// does). The 5 s default per test is a speed limit in disguise: the platform tests run a fake
// `ubus`/`uci`/`mmcli` as a Node process per call, a dozen calls per test, and on a loaded
// 2-core machine one of them took 5.08 s and failed. A hung test still fails, after 30 s.
// expect.poll's own 1 s default is the same kind of limit: a fake `nft` answering after a second
// under load failed a poll that waited for it.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    expect: { poll: { timeout: 15_000 } },
    projects: [
      {
        extends: true,
        test: { name: 'together', include: ['test/**/*.test.ts'], exclude: ONE_AT_A_TIME, maxWorkers: FILES_AT_ONCE, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ONE_AT_A_TIME, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});

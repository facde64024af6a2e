import { defineConfig } from 'vitest/config';

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
  },
});

/**
 * The OpenWrt platform booted with a store, as the Bridging.Filter tests run it: the recorded DSA
 * router's sysfs, no packet counters, the nft scripts recorded (nft-script-recorder.ts); and
 * Controller-style transactions on it, committed and saved, rolled back when a step fails.
 */
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import type { OpenWrtOptions } from '../../../../platform/openwrt/index.js';
import { DSA_SYS_NET } from './dsa-router.js';
import { type FakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';
import { type NftRecorder, recordNft } from './nft-script-recorder.js';

export interface StoredPlatform {
  fx: PlatformFixture;
  store: DataStore;
  nft: NftRecorder;
}

/** Boots `fake` with its store in `dataDir`, the stored state loaded; the caller closes `fx`. */
export async function bootWithStore(fake: FakeOpenWrt, dataDir: string, opts: OpenWrtOptions = {}): Promise<StoredPlatform> {
  const nft = recordNft(fake);
  const store = new DataStore(dataDir);
  const fx = openWrt(fake, { sysNetDir: DSA_SYS_NET, packetCounters: false, store, ...opts });
  store.load((why) => {
    throw new Error(why);
  });
  await fx.platform.stateLoaded();
  return { fx, store, nft };
}

/** One Controller transaction, committed and saved; rolled back when a step fails. */
export async function commitTx({ fx, store }: StoredPlatform, step: (tx: Transaction) => Promise<unknown>): Promise<void> {
  const tx = new Transaction(fx.model, {});
  try {
    await step(tx);
  } catch (e) {
    await tx.rollback();
    throw e;
  }
  await tx.commit();
  await store.flush();
}

/** Adds a row of table `table` (a supported path such as Device.Bridging.Filter.{i}.) in one transaction. */
export function addRow(b: StoredPlatform, table: string, params: Record<string, Value>): Promise<void> {
  return commitTx(b, (tx) => tx.add(b.fx.model.requireNode(table), [], params));
}

/**
 * The live platform combinations (Linux; Linux + ModemManager; OpenWrt + ModemManager) as the
 * agent's composition root builds them (agent/platforms.ts registerPlatform), with the fake
 * `ubus`, `uci` and `mmcli` first on PATH, and asked GetSupportedDM through the agent's own
 * handler: what a Controller would be told. Going through registerPlatform rather than calling
 * each platform's register function keeps the test true to how the agent wires them (which
 * platform serves Cellular.AccessPoint, the vendor prefix handed to ModemManager).
 *
 * registerPlatform takes no sysfs root, so the Linux platform is the real host's; the supported
 * model does not depend on the host (only values do, and GetSupportedDM reads none).
 */
import path from 'node:path';
import type { GetSupportedDMReq, RequestedObjectResult } from '../../../agent/codec/types.js';
import { handleGetSupportedDM } from '../../../agent/handlers/handle-get-supported-dm.js';
import type { HandlerContext } from '../../../agent/handlers/HandlerContext.js';
import { OperationRunner } from '../../../agent/operate/OperationRunner.js';
import { registerPlatform } from '../../../agent/platforms.js';
import { silentLogger } from '../../../datamodel/Logger.js';
import { Schema } from '../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../datamodel/tree/DataModel.js';
import { FakeMmcli } from './modemmanager/fake-mmcli.js';
import { fakeOpenWrt } from './openwrt/fake-openwrt.js';

const schema = Schema.load();

/** The vendor prefix the agent is configured with (--vendor-prefix). */
export const VENDOR_PREFIX = 'X_EXAMPLE-COM_';

export interface Combination {
  model: DataModel;
  /** GetSupportedDM of `objPaths` as the agent itself (full access): every object, no parameters unless asked. */
  gsdm(objPaths: string[], opts?: Partial<Omit<GetSupportedDMReq, 'objPaths'>>): Promise<RequestedObjectResult[]>;
  close(): void;
}

/**
 * `platform` with or without ModemManager answering (the simulated gateway has its own modem). Without it, a failing `mmcli` is put first
 * on PATH, so a ModemManager installed on the test machine is not detected either.
 */
export async function composedPlatform(platform: 'linux' | 'openwrt' | 'simulated', opts: { modemManager: boolean }): Promise<Combination> {
  const mmcli = new FakeMmcli();
  mmcli.setFailing(!opts.modemManager);
  // OpenWrt's stand-ins include nft (fw4 brings it): the packet class counters are registered; Linux's are the host's nft.
  const openwrt = platform === 'openwrt' ? fakeOpenWrt({ nft: true }) : undefined;
  const restorePath = prependPath([mmcli.binDir, ...(openwrt ? [openwrt.bin] : [])]);
  const model = new DataModel(schema);
  try {
    const started = await registerPlatform(model, platform, { vendorPrefix: VENDOR_PREFIX, log: silentLogger, seed: 1 });
    if (platform !== 'simulated' && started.cellular !== opts.modemManager) throw new Error(`ModemManager detected: ${started.cellular}, expected ${opts.modemManager}`);
    // The agent has this next to every platform: the operation runner's Device.LocalAgent.Request.
    const h: HandlerContext = { model, req: {}, log: silentLogger, operations: new OperationRunner(model, silentLogger) };
    return {
      model,
      gsdm: async (objPaths, o = {}) =>
        (
          await handleGetSupportedDM(h, {
            objPaths,
            firstLevelOnly: false,
            returnCommands: false,
            returnEvents: false,
            returnParams: false,
            returnUniqueKeySets: false,
            ...o,
          })
        ).reqObjResults,
      close: () => {
        started.stop();
        restorePath();
        openwrt?.cleanup();
        mmcli.cleanup();
      },
    };
  } catch (e) {
    restorePath();
    openwrt?.cleanup();
    mmcli.cleanup();
    throw e;
  }
}

/** Puts `dirs` first on the process' PATH (the runners find tools there); returns the undo. */
function prependPath(dirs: readonly string[]): () => void {
  const before = process.env.PATH;
  process.env.PATH = [...dirs, before ?? ''].join(path.delimiter);
  return () => {
    if (before === undefined) delete process.env.PATH;
    else process.env.PATH = before;
  };
}

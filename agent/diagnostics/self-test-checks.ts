/**
 * The checks Device.SelfTestDiagnostics() makes on every platform, beside those the platform and
 * plugins declare (platform/self-test-check.ts): the agent's store is readable and writable, the
 * data model answers, every running MTP is listening or connected, free memory and disk space
 * are above a floor, and the firmware backend answers when there is one.
 */
import { randomBytes } from 'node:crypto';
import { freemem } from 'node:os';
import { open, readFile, rename, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { WebSocketClientMtp } from '../../mtp/websocket/WebSocketClientMtp.js';
import { WebSocketServerMtp } from '../../mtp/websocket/WebSocketServerMtp.js';
import type { SelfTestCheck } from '../../platform/self-test-check.js';
import { StartedMqtt } from '../transports/start-mqtt.js';
import type { StartedTransport } from '../transports/TransportDeps.js';

/** Floors below which memory and disk fail: what the agent needs to keep answering and saving its state. */
export interface SelfTestFloors {
  /** Free memory, bytes (default 8 MiB: a 128 MiB router runs with a few tens free). */
  memoryBytes: number;
  /** Free space where the agent saves its state (the data directory, else the temp directory), bytes (default 1 MiB). */
  diskBytes: number;
}

export const DEFAULT_SELF_TEST_FLOORS: SelfTestFloors = { memoryBytes: 8 * 1024 * 1024, diskBytes: 1024 * 1024 };

/** The name of the probe file the store check writes (atomically: as `.tmp`, then renamed) and removes. */
export const STORE_PROBE = '.selftest-probe';

/**
 * `store`: the agent reads its own configuration through the model (Device.LocalAgent.), reads
 * the head of state.json, and writes, reads back and removes a probe file in the data directory
 * as it writes state.json (temporary file, fsync, rename). Without a data directory the state is
 * in memory and only the read is made.
 */
export class StoreCheck implements SelfTestCheck {
  readonly name = 'store';

  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
  ) {}

  async run(signal: AbortSignal): Promise<string | void> {
    const agent = await this.model.readValues({ node: this.model.requireNode('Device.LocalAgent.'), keys: [] }, {});
    if (!agent.EndpointID) throw new Error('Device.LocalAgent.EndpointID reads empty');
    const dir = this.store.dir;
    if (dir === undefined) return 'in memory';
    if (this.store.file !== undefined) await readHead(this.store.file);
    signal.throwIfAborted();
    const probe = join(dir, STORE_PROBE);
    const tmp = `${probe}.tmp`;
    const data = randomBytes(16).toString('hex');
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, probe);
      const back = await readFile(probe, { encoding: 'utf8', signal });
      if (back !== data) throw new Error(`${probe} read back differs from what was written`);
    } finally {
      // What cannot be removed (a directory in the probe's place) stays; the check has already failed.
      await rm(tmp, { force: true }).catch(() => undefined);
      await rm(probe, { force: true }).catch(() => undefined);
    }
  }
}

/** The first 4 KiB of `file`; a file not saved yet is no failure. */
async function readHead(file: string): Promise<void> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    await fh.read(Buffer.alloc(4096), 0, 4096, 0);
  } finally {
    await fh.close();
  }
}

/** `datamodel`: Device.DeviceInfo. read whole through the platform's binding. */
export class DataModelCheck implements SelfTestCheck {
  readonly name = 'datamodel';

  constructor(private readonly model: DataModel) {}

  async run(): Promise<void> {
    const info = await this.model.readValues({ node: this.model.requireNode('Device.DeviceInfo.'), keys: [] }, {});
    if (Object.keys(info).length === 0) throw new Error('Device.DeviceInfo. reads no parameter');
  }
}

/** `memory`: free memory (the kernel's estimate of what can be had without swapping) above the floor. */
export class MemoryCheck implements SelfTestCheck {
  readonly name = 'memory';

  constructor(private readonly floor: number) {}

  run(): Promise<string> {
    const free = freemem();
    if (free < this.floor) return Promise.reject(new Error(`${mib(free)} free, below ${mib(this.floor)}`));
    return Promise.resolve(`${mib(free)} free`);
  }
}

/** `disk`: free space of the filesystem holding the agent's state above the floor. */
export class DiskCheck implements SelfTestCheck {
  readonly name = 'disk';

  constructor(
    private readonly dir: string | undefined,
    private readonly floor: number,
  ) {}

  async run(): Promise<string> {
    const s = await statfs(this.dir ?? tmpdir());
    const free = s.bavail * s.bsize;
    if (free < this.floor) throw new Error(`${mib(free)} free, below ${mib(this.floor)}`);
    return `${mib(free)} free`;
  }
}

/** `firmware`: the backend's images listed (Device.DeviceInfo.FirmwareImage.{i}.), one of them Active. */
export class FirmwareCheck implements SelfTestCheck {
  readonly name = 'firmware';

  constructor(private readonly model: DataModel) {}

  async run(): Promise<string> {
    const node = this.model.node('Device.DeviceInfo.FirmwareImage.{i}.');
    if (!node || !this.model.isBound(node)) throw new Error('Device.DeviceInfo.FirmwareImage.{i}. is not served');
    const banks = await this.model.listInstances(node, [], {});
    for (const n of banks) {
      if ((await this.model.readValues({ node, keys: [n] }, {})).Status === 'Active') return `${banks.length} images`;
    }
    throw new Error(`no Active image among ${banks.length}`);
  }
}

/** One check per running MTP: a WebSocket server listens, a WebSocket client or MQTT client is connected. */
export function mtpChecks(mtps: readonly StartedTransport[]): SelfTestCheck[] {
  if (mtps.length === 0) return [new Verdict('mtp', new Error('no MTP is running'))];
  return mtps.map((m, i): SelfTestCheck => {
    if (m instanceof WebSocketServerMtp) return new Verdict(`mtp.ws:${m.port}`, m.addresses.length > 0 ? plural(m.addresses.length, 'address', 'addresses') : new Error('not listening'));
    if (m instanceof WebSocketClientMtp) return new Verdict(`mtp.${m.name.replace(/^Device\.LocalAgent\.|\.$/g, '')}`, m.state === 'open' ? undefined : new Error(`not connected (${m.state})`));
    if (m instanceof StartedMqtt) return new Verdict(`mtp.${m.mtpPath.replace(/^Device\.LocalAgent\.MTP\.|\.$/g, '')}`, m.client.connected ? undefined : new Error('not connected to the broker'));
    // UDS and CoAP: running is all that can be said without a peer.
    return new Verdict(`mtp.${i + 1}`, 'running');
  });
}

/** A check whose verdict is known already (the state of a running MTP). */
class Verdict implements SelfTestCheck {
  constructor(
    readonly name: string,
    private readonly verdict: string | Error | undefined,
  ) {}

  run(): Promise<string | void> {
    return this.verdict instanceof Error ? Promise.reject(this.verdict) : Promise.resolve(this.verdict);
  }
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function mib(bytes: number): string {
  return `${Math.floor(bytes / (1024 * 1024))} MiB`;
}

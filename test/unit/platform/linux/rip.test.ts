/**
 * Device.Routing.RIP. on Linux (platform/linux/rip.ts) over the real schema and an in-memory
 * store, with stand-ins for bird and birdc at the command boundary (a child that stays up, and a
 * birdc that refuses a file naming the device "refuse0"): what is refused before bird is asked
 * (7002, 7012, 7025), bird's own refusal (7012 with its message, nothing kept, the old file
 * back), and bird run only while RIP.Enable is true. The real bird is in
 * test/integration/linux-rip.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { LinuxRip, RIP, RIP_SETTING } from '../../../../platform/linux/rip.js';
import { refusal } from '../refusal.js';

const schema = Schema.load();
const DEVICES: Record<string, string> = {
  'Device.IP.Interface.1': 'eth0',
  'Device.IP.Interface.2': 'lo',
  'Device.IP.Interface.3': 'ctl0',
  'Device.IP.Interface.4': 'refuse0',
  'Device.IP.Interface.5': 'br-lan',
};
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'usp-rip-unit-'));
  writeFileSync(join(dir, 'bird'), '#!/bin/sh\n[ "$1" = "-p" ] && exit 0\nexec sleep 60\n', { mode: 0o755 });
  writeFileSync(
    join(dir, 'birdc'),
    '#!/bin/sh\necho "BIRD 2.0.12 ready."\nif grep -q \'"refuse0"\' "$(dirname "$2")/bird.conf"; then echo "bird.conf:20:3 Unknown interface refuse0"; exit 1; fi\necho Reconfigured\n',
    { mode: 0o755 },
  );
  const model = new DataModel(schema);
  const store = new DataStore();
  const rip = new LinuxRip({
    model,
    store,
    interfaces: {
      nameOf: async (ref) => DEVICES[ref.replace(/\.$/, '')],
      pathOf: async (name) => Object.entries(DEVICES).find(([, d]) => d === name)?.[0],
    },
    requireManaged: (device, path) => {
      if (device === 'ctl0') throw new UspError(ErrorCode.RequestDenied, `${device} is not managed`, { path });
    },
    dir,
    binary: join(dir, 'bird'),
  });
  rip.register();
  cleanups.push(() => {
    rip.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const top = model.bindingOf(model.requireNode(RIP))!;
  const table = model.bindingOf(model.requireNode(RIP_SETTING))!;
  const conf = (): string => readFileSync(join(dir, 'bird.conf'), 'utf8');
  return { rip, store, top, table, conf };
}

describe('Linux RIP rows', () => {
  it('runs bird only while RIP.Enable is true and an enabled row names a device', async () => {
    const fx = fixture();
    expect(await fx.top.get!([], {})).toEqual({ Enable: false, SupportedModes: 'Both' });
    const n = await fx.table.add!([], { Enable: true, Interface: 'Device.IP.Interface.1' }, {});
    expect(fx.rip.process.status()).toBe('off');
    expect(await fx.table.get!([n], {})).toMatchObject({ Status: 'Disabled', AcceptRA: true, SendRA: true, Interface: 'Device.IP.Interface.1' });
    await fx.top.set!([], { Enable: true }, {});
    expect(fx.rip.process.status()).toBe('running');
    expect(fx.conf()).toContain('interface "eth0" {');
    expect(await fx.table.get!([n], {})).toMatchObject({ Status: 'Enabled' });
    await fx.top.set!([], { Enable: false }, {});
    expect(fx.rip.process.status()).toBe('off');
  });

  it('refuses an unmanaged interface (7002), loopback or no interface (7012) and a second row on one device (7025)', async () => {
    const fx = fixture();
    await fx.table.add!([], { Enable: true, Interface: 'Device.IP.Interface.1' }, {});
    expect((await refusal(() => fx.table.add!([], { Interface: 'Device.IP.Interface.3' }, {}))).code).toBe(ErrorCode.RequestDenied);
    expect((await refusal(() => fx.table.add!([], { Interface: 'Device.IP.Interface.2' }, {}))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => fx.table.add!([], { Interface: 'Device.IP.Interface.9' }, {}))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => fx.table.add!([], { Interface: 'Device.IP.Interface.1' }, {}))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect(fx.store.instances('Device.Routing.RIP.InterfaceSetting.')).toEqual([1]);
  });

  it('answers 7012 with bird’s message when bird refuses the change, keeping neither the row nor the file', async () => {
    const fx = fixture();
    await fx.top.set!([], { Enable: true }, {});
    await fx.table.add!([], { Enable: true, Interface: 'Device.IP.Interface.1' }, {});
    const before = fx.conf();
    const e = await refusal(() => fx.table.add!([], { Enable: true, Interface: 'Device.IP.Interface.4' }, {}));
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(e.message).toContain('Unknown interface refuse0');
    expect(fx.store.instances('Device.Routing.RIP.InterfaceSetting.')).toEqual([1]);
    expect(fx.conf()).toBe(before);
    expect(fx.rip.process.status()).toBe('running');
    // A change bird takes still goes through afterwards.
    await fx.table.add!([], { Enable: true, Interface: 'Device.IP.Interface.5', SendRA: false }, {});
    expect(fx.conf()).toContain('interface "br-lan" {');
  });
});

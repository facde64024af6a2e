import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { readSubtree, type ObjectValues } from '../../../../datamodel/tree/read-object.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { registerLldpDiscovery } from '../../../../platform/lldp/lldp-discovery.js';
import { hostsOfModel } from '../../../../platform/lldp/lldp-hosts.js';
import { LldpcliNeighbours } from '../../../../platform/lldp/lldpcli-source.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/linux/lldp/', import.meta.url));
const schema = Schema.load();
/** 2026-12-06T04:00:00Z. */
const NOW = Date.UTC(2026, 11, 6, 4, 0, 0);
const CACHE_MS = 1000;

/** An lldpcli stand-in printing `answer` (copied from a recording, or written by a test) and exiting with `rc`. */
class FakeLldpcli {
  readonly dir = mkdtempSync(join(tmpdir(), 'usp-lldpcli-'));
  constructor() {
    writeFileSync(join(this.dir, 'lldpcli'), `#!/bin/sh\necho "$@" >> "${this.dir}/calls"\ncat "${this.dir}/answer"\nexit $(cat "${this.dir}/rc")\n`, { mode: 0o755 });
    this.answer('lldpcli-json0-show-neighbors-details.json');
  }
  answer(recording: string, rc = 0): void {
    copyFileSync(join(FIXTURES, recording), join(this.dir, 'answer'));
    writeFileSync(join(this.dir, 'rc'), String(rc));
  }
  answerText(text: string, rc = 0): void {
    writeFileSync(join(this.dir, 'answer'), text);
    writeFileSync(join(this.dir, 'rc'), String(rc));
  }
}

interface Setup {
  model: DataModel;
  lldpcli: FakeLldpcli;
  clock: { now: number };
  warnings: string[];
  values(): Promise<Map<string, Record<string, unknown>>>;
}

function setup(opts: { socket?: string; hosts?: Array<{ PhysAddress: string; IPAddress: string }> } = {}): Setup {
  const model = new DataModel(schema);
  const lldpcli = new FakeLldpcli();
  const clock = { now: NOW };
  const warnings: string[] = [];
  const log = { warn: (m: string) => warnings.push(m), info: (m: string) => warnings.push(m), error: () => undefined, debug: () => undefined, child: () => log } as unknown as Logger;
  const runner = new CommandRunner({ commandPath: lldpcli.dir, now: () => clock.now });
  const source = new LldpcliNeighbours(runner, { socket: opts.socket, cacheMs: CACHE_MS, log });
  if (opts.hosts) {
    const hosts = opts.hosts;
    model.register('Device.Hosts.Host.{i}.', { params: ['PhysAddress', 'IPAddress'], list: () => hosts.map((_, i) => i + 1), get: (keys) => ({ ...hosts[keys[0]! - 1]! }) });
  }
  registerLldpDiscovery(model, {
    neighbours: () => source.neighbours(),
    interfacePath: async (name) => (name === 'lan1' ? 'Device.Ethernet.Interface.1' : ''),
    hosts: hostsOfModel(model),
    now: () => clock.now,
    cacheMs: CACHE_MS,
  });
  const values = async (): Promise<Map<string, Record<string, unknown>>> => {
    const out: ObjectValues[] = [];
    await readSubtree(model, { node: model.requireNode('Device.LLDP.'), keys: [] }, 0, {}, out);
    return new Map(out.map((o) => [o.path, o.values]));
  };
  return { model, lldpcli, clock, warnings, values };
}

describe('Device.LLDP.Discovery from lldpcli', () => {
  let s: Setup;
  afterEach(() => rmSync(s.lldpcli.dir, { recursive: true, force: true }));

  describe('the recorded switch and PC', () => {
    beforeEach(() => {
      s = setup({
        hosts: [
          { PhysAddress: '3C:52:82:AA:BB:CC', IPAddress: '192.168.1.50' },
          { PhysAddress: 'aa:bb:cc:00:00:01', IPAddress: '192.168.1.2' },
        ],
      });
    });

    it('serves one Device per chassis with its Port, the Interface of the local port, and LastUpdate from the age', async () => {
      const v = await s.values();
      expect(v.get('Device.LLDP.Discovery.')).toEqual({ DeviceNumberOfEntries: 2 });
      expect(v.get('Device.LLDP.Discovery.Device.1.')).toMatchObject({ Interface: 'Device.Ethernet.Interface.1', ChassisIDSubtype: 4, ChassisID: '48:a9:8a:12:34:57', PortNumberOfEntries: 1 });
      expect(v.get('Device.LLDP.Discovery.Device.1.Port.1.')).toEqual({
        PortIDSubtype: 5,
        PortID: 'ge7',
        TTL: 120,
        PortDescription: 'Port 7 - FWA gateway',
        LastUpdate: '2026-12-06T03:51:19Z',
        MACAddressList: '',
      });
      // lan2 has no Ethernet row in this setup: Interface is "".
      expect(v.get('Device.LLDP.Discovery.Device.2.')).toMatchObject({ Interface: '', ChassisID: '3c:52:82:aa:bb:cc' });
      expect(v.get('Device.LLDP.Discovery.Device.2.Port.1.')).toMatchObject({ PortIDSubtype: 3, PortID: '3c:52:82:aa:bb:cc', LastUpdate: '2026-12-06T03:59:57Z' });
    });

    it('Host: the Hosts rows whose PhysAddress (any case) or IPAddress the neighbour names itself by', async () => {
      const v = await s.values();
      // The PC by its MAC, the switch by its management address.
      expect(v.get('Device.LLDP.Discovery.Device.2.')!.Host).toBe('Device.Hosts.Host.1');
      expect(v.get('Device.LLDP.Discovery.Device.1.')!.Host).toBe('Device.Hosts.Host.2');
    });

    it('one lldpcli call serves a whole read within the cache age; the next read past it asks again', async () => {
      await s.values();
      await s.values();
      const calls = (): string[] => readFileSync(join(s.lldpcli.dir, 'calls'), 'utf8').trim().split('\n');
      expect(calls()).toEqual(['-f json0 show neighbors details']);
      s.clock.now += CACHE_MS + 1;
      await s.values();
      expect(calls()).toHaveLength(2);
    });

    it('a neighbour that leaves frees its row; the others keep their numbers; one that returns gets its number back', async () => {
      await s.values();
      const pcOnly = JSON.parse(readRecording()) as { lldp: Array<{ interface: unknown[] }> };
      pcOnly.lldp[0]!.interface = pcOnly.lldp[0]!.interface.slice(1);
      s.lldpcli.answerText(JSON.stringify(pcOnly));
      s.clock.now += CACHE_MS + 1;
      const v = await s.values();
      expect(v.get('Device.LLDP.Discovery.')).toEqual({ DeviceNumberOfEntries: 1 });
      expect(v.has('Device.LLDP.Discovery.Device.1.')).toBe(false);
      expect(v.get('Device.LLDP.Discovery.Device.2.')).toMatchObject({ ChassisID: '3c:52:82:aa:bb:cc' });
      s.lldpcli.answer('lldpcli-json0-show-neighbors-details.json');
      s.clock.now += CACHE_MS + 1;
      const back = await s.values();
      expect(back.get('Device.LLDP.Discovery.Device.1.')).toMatchObject({ ChassisID: '48:a9:8a:12:34:57' });
      expect(back.get('Device.LLDP.Discovery.Device.2.')).toMatchObject({ ChassisID: '3c:52:82:aa:bb:cc' });
    });

    it('a Get of a row that is not there answers 7016', async () => {
      await s.values();
      const binding = s.model.bindingAt('Device.LLDP.Discovery.Device.{i}.')!;
      await expect(binding.get([9], {})).rejects.toMatchObject({ code: ErrorCode.ObjectDoesNotExist });
      const ports = s.model.bindingAt('Device.LLDP.Discovery.Device.{i}.Port.{i}.')!;
      await expect(ports.get([1, 5], {})).rejects.toMatchObject({ code: ErrorCode.ObjectDoesNotExist });
    });
  });

  it('LLDPRemOrgDefInfo: the HTIP TLVs of the recorded switch as DeviceInformation (+ VendorSpecific) and LinkInformation; none for the PC', async () => {
    s = setup();
    s.lldpcli.answer('lldpcli-json0-show-neighbors-details.htip.json');
    const v = await s.values();
    expect(v.get('Device.LLDP.Discovery.Device.1.DeviceInformation.')).toEqual({
      DeviceCategory: 'Switch,Bridge',
      ManufacturerOUI: '48A98A',
      ModelName: 'GS308T',
      ModelNumber: '100NAS2',
      VendorSpecificNumberOfEntries: 1,
    });
    expect(v.get('Device.LLDP.Discovery.Device.1.DeviceInformation.VendorSpecific.1.')).toEqual({ OrganizationCode: '48A98A', InformationType: 1, Information: 'fw-2.3' });
    expect(v.get('Device.LLDP.Discovery.Device.1.Port.1.LinkInformation.')).toEqual({ InterfaceType: 6, MACForwardingTable: '3c:52:82:aa:bb:cc,02:10:18:00:00:01' });
    expect(v.get('Device.LLDP.Discovery.Device.2.DeviceInformation.')).toEqual({ DeviceCategory: '', ManufacturerOUI: '', ModelName: '', ModelNumber: '', VendorSpecificNumberOfEntries: 0 });
    expect(v.get('Device.LLDP.Discovery.Device.2.Port.1.LinkInformation.')).toEqual({ InterfaceType: 0, MACForwardingTable: '' });
    const vendor = s.model.bindingAt('Device.LLDP.Discovery.Device.{i}.DeviceInformation.VendorSpecific.{i}.')!;
    await expect(vendor.get([1, 2], {})).rejects.toMatchObject({ code: ErrorCode.ObjectDoesNotExist });
  });

  it('a chassis heard on two local ports is one Device with two Ports, on the first port', async () => {
    s = setup();
    const two = JSON.parse(readRecording()) as { lldp: Array<{ interface: Array<Record<string, unknown>> }> };
    const [sw] = two.lldp[0]!.interface;
    const second = JSON.parse(JSON.stringify(sw)) as Record<string, unknown> & { port: Array<{ id: Array<{ value: string }> }> };
    second.name = 'lan2';
    second.port[0]!.id[0]!.value = 'ge8';
    two.lldp[0]!.interface = [sw!, second];
    s.lldpcli.answerText(JSON.stringify(two));
    const v = await s.values();
    expect(v.get('Device.LLDP.Discovery.')).toEqual({ DeviceNumberOfEntries: 1 });
    expect(v.get('Device.LLDP.Discovery.Device.1.')).toMatchObject({ Interface: 'Device.Ethernet.Interface.1', PortNumberOfEntries: 2, Host: '' });
    expect(v.get('Device.LLDP.Discovery.Device.1.Port.2.')).toMatchObject({ PortID: 'ge8' });
  });

  it('lldpd not answering: no rows, one warning until it answers again (then one info line), and the socket given is used', async () => {
    s = setup({ socket: '/run/test-lldpd.socket' });
    s.lldpcli.answerText('', 1);
    for (let i = 0; i < 3; i++) {
      expect((await s.values()).get('Device.LLDP.Discovery.')).toEqual({ DeviceNumberOfEntries: 0 });
      s.clock.now += CACHE_MS + 1;
    }
    expect(s.warnings).toEqual(['lldpd does not answer; Device.LLDP.Discovery.Device. has no rows until it does']);
    s.lldpcli.answer('lldpcli-json0-show-neighbors-details.json');
    expect((await s.values()).get('Device.LLDP.Discovery.')).toEqual({ DeviceNumberOfEntries: 2 });
    expect(s.warnings).toHaveLength(2);
    expect(s.warnings[1]).toMatch(/answers again/);
    // Output that is not lldpcli's JSON is the same: no rows, logged once.
    s.lldpcli.answerText('garbage');
    s.clock.now += CACHE_MS + 1;
    expect((await s.values()).get('Device.LLDP.Discovery.')).toEqual({ DeviceNumberOfEntries: 0 });
    expect(s.warnings).toHaveLength(3);
    const calls = readFileSync(join(s.lldpcli.dir, 'calls'), 'utf8');
    expect(calls.split('\n')[0]).toBe('-u /run/test-lldpd.socket -f json0 show neighbors details');
  });
});

function readRecording(): string {
  return readFileSync(join(FIXTURES, 'lldpcli-json0-show-neighbors-details.json'), 'utf8');
}

/**
 * Reference parameters (a syntax with pathRef) on every platform, as TR-106 and TR-369 want them
 * (TR-369 "Path Names"): "" or a comma-separated list of object paths *without* the trailing ".", each
 * naming an object that exists in the same model, unless the reference is weak (R-ARC.12).
 * Each platform is read whole, with the fixtures and fakes its own tests use.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parsePath } from '../../../datamodel/path/parse-path.js';
import type { DataModel } from '../../../datamodel/tree/DataModel.js';
import { type ObjectValues, readSubtree } from '../../../datamodel/tree/read-object.js';
import { PathResolver } from '../../../datamodel/tree/resolve-path.js';
import { UspError } from '../../../datamodel/UspError.js';
import { linuxHost } from './linux/fake-host.js';
import { modemManager } from './modemmanager/fake-mmcli.js';
import { openWrt } from './openwrt/fake-openwrt.js';
import { simulated } from './simulated/fixture.js';

/** An instance path in reference form: no trailing "." (nor any other trailing punctuation). */
const REFERENCE_RE = /^Device\.[A-Za-z0-9_.-]*[A-Za-z0-9_-]$/;

interface ReferenceReport {
  /** Every non-empty reference item, "Device.X.1.Param = Device.Y.2". */
  found: string[];
  /** What breaks the rules, one line each. */
  problems: string[];
}

async function readTree(model: DataModel): Promise<ObjectValues[]> {
  const out: ObjectValues[] = [];
  await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out);
  return out;
}

/** Checks every value of every pathRef parameter in a whole-tree read of `model`. */
async function checkReferences(model: DataModel): Promise<ReferenceReport> {
  const report: ReferenceReport = { found: [], problems: [] };
  const resolver = new PathResolver(model, {});
  for (const { inst, path, values } of await readTree(model)) {
    for (const [name, value] of Object.entries(values)) {
      const ref = inst.node.params.get(name)?.pathRef;
      if (!ref) continue;
      const where = `${path}${name}`;
      if (typeof value !== 'string') {
        report.problems.push(`${where}: not a string (${JSON.stringify(value)})`);
        continue;
      }
      if (value === '') continue;
      for (const item of value.split(',')) {
        report.found.push(`${where} = ${item}`);
        if (!REFERENCE_RE.test(item)) {
          report.problems.push(`${where}: ${JSON.stringify(item)} is not a reference (no trailing ".", no spaces)`);
          continue;
        }
        if (ref.refType === 'weak') continue; // never checked, never changed (R-ARC.12)
        let matches = 0;
        try {
          matches = (await resolver.resolve(parsePath(`${item}.`))).filter((m) => !m.table).length;
        } catch (e) {
          if (!(e instanceof UspError)) throw e;
        }
        if (matches !== 1) report.problems.push(`${where}: ${item} names no object of this model (dangling strong reference)`);
      }
    }
  }
  return report;
}

describe('reference parameters on every platform: no trailing ".", nothing dangling', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('simulated: at boot, after an hour of churn and with Controller-written VLAN memberships', async () => {
    const sim = simulated();
    cleanups.push(() => sim.stop());
    const bridge = 'Device.Bridging.Bridge.1.';
    const boot = await checkReferences(sim.model);
    expect(boot.problems).toEqual([]);

    await sim.add(`${bridge}VLAN.`, { Enable: true, VLANID: 100 });
    await sim.add(`${bridge}VLAN.`, { Enable: true, VLANID: 200 });
    // A Controller may write the trailing "."; it is served without it.
    await sim.add(`${bridge}VLANPort.`, { Enable: true, VLAN: `${bridge}VLAN.1.`, Port: `${bridge}Port.2.` });
    await sim.add(`${bridge}VLANPort.`, { Enable: true, VLAN: `${bridge}VLAN.2`, Port: `${bridge}Port.3` });
    await sim.add('Device.NAT.PortMapping.', { Enable: true, ExternalPort: 8443, InternalPort: 443, InternalClient: '192.168.1.10' });
    for (const seconds of [30, 600, 3000]) {
      sim.advance(seconds);
      const r = await checkReferences(sim.model);
      expect(r.problems, `after ${seconds} s more`).toEqual([]);
    }
    const r = await checkReferences(sim.model);
    expect(r.found).toEqual(
      expect.arrayContaining([
        'Device.IP.Interface.1.LowerLayers = Device.Ethernet.Link.1',
        'Device.Ethernet.Link.1.LowerLayers = Device.Bridging.Bridge.1.Port.1',
        'Device.IP.Interface.1.IPv6Prefix.1.ParentPrefix = Device.IP.Interface.2.IPv6Prefix.2',
        'Device.IP.Interface.2.LowerLayers = Device.Cellular.Interface.1',
        'Device.Bridging.Bridge.1.Port.1.LowerLayers = Device.Bridging.Bridge.1.Port.2',
        'Device.Bridging.Bridge.1.Port.6.LowerLayers = Device.WiFi.SSID.1',
        'Device.Bridging.Bridge.1.VLANPort.1.VLAN = Device.Bridging.Bridge.1.VLAN.1',
        'Device.Bridging.Bridge.1.VLANPort.1.Port = Device.Bridging.Bridge.1.Port.2',
        'Device.Bridging.Bridge.1.VLANPort.2.VLAN = Device.Bridging.Bridge.1.VLAN.2',
        'Device.WiFi.SSID.1.LowerLayers = Device.WiFi.Radio.1',
        'Device.WiFi.AccessPoint.1.SSIDReference = Device.WiFi.SSID.1',
        'Device.Cellular.AccessPoint.1.Interface = Device.Cellular.Interface.1',
        'Device.DHCPv4.Server.Pool.1.Interface = Device.IP.Interface.1',
        'Device.NAT.PortMapping.1.Interface = Device.IP.Interface.2',
        'Device.Firewall.AdvancedLevel = Device.Firewall.Level.1',
        'Device.Firewall.Level.1.Chain = Device.Firewall.Chain.1',
      ]),
    );
    // Hosts name their lease, their Wi-Fi association and their layer-1 and layer-3 interfaces.
    for (const param of ['DHCPClient', 'AssociatedDevice', 'Layer1Interface', 'Layer3Interface']) {
      expect(
        r.found.some((f) => new RegExp(`^Device\\.Hosts\\.Host\\.\\d+\\.${param} = `).test(f)),
        param,
      ).toBe(true);
    }
  });

  it('simulated: a deleted VLAN leaves its memberships reading "", not a dangling reference', async () => {
    const sim = simulated();
    cleanups.push(() => sim.stop());
    const bridge = 'Device.Bridging.Bridge.1.';
    await sim.add(`${bridge}VLAN.`, { VLANID: 100 });
    await sim.add(`${bridge}VLANPort.`, { VLAN: `${bridge}VLAN.1`, Port: `${bridge}Port.2` });
    await sim.del(`${bridge}VLAN.1.`);
    expect((await checkReferences(sim.model)).problems).toEqual([]);
  });

  it('openwrt: the recorded D-Link COVR-X1860', async () => {
    const fx = openWrt();
    cleanups.push(() => fx.close());
    const r = await checkReferences(fx.model);
    expect(r.problems).toEqual([]);
    expect(r.found).toEqual(
      expect.arrayContaining([
        'Device.Ethernet.Link.2.LowerLayers = Device.Ethernet.Interface.2',
        'Device.IP.Interface.1.LowerLayers = Device.Ethernet.Link.3',
        'Device.WiFi.SSID.2.LowerLayers = Device.WiFi.Radio.2',
        'Device.WiFi.AccessPoint.2.SSIDReference = Device.WiFi.SSID.2',
      ]),
    );
    expect(r.found.some((f) => /^Device\.IP\.Interface\.\d+\.IPv6Address\.\d+\.Prefix = Device\.IP\.Interface\.\d+\.IPv6Prefix\.\d+$/.test(f))).toBe(true);
  });

  it('modemmanager: the recorded Quectel RM500Q', async () => {
    const f = modemManager();
    cleanups.push(() => f.cleanup());
    const r = await checkReferences(f.model);
    expect(r.problems).toEqual([]);
    expect(r.found).toEqual(['Device.Cellular.AccessPoint.1.Interface = Device.Cellular.Interface.1']);
  });

  it('linux: the recorded Debian 12 host', async () => {
    const f = linuxHost();
    cleanups.push(() => f.cleanup());
    const r = await checkReferences(f.model);
    // It serves no reference parameter yet (IP.Interface.LowerLayers needs Ethernet.Link, see
    // platform/linux/ip.ts); whatever it serves later is held to the same rules here.
    expect(r.problems).toEqual([]);
  });
});

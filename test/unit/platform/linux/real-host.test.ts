import { describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { type ObjectValues, readSubtree } from '../../../../datamodel/tree/read-object.js';
import { formatValue } from '../../../../datamodel/value/format-value.js';
import { parseValue } from '../../../../datamodel/value/parse-value.js';
import { findOnPath } from '../../../../platform/exec/CommandRunner.js';
import { registerLinuxPlatform } from '../../../../platform/linux/index.js';

// The machine running the tests, whatever it is: values differ, validity must not. It has to be
// Linux with iproute2 (CI installs it); elsewhere say plainly what went unchecked.
const onLinuxWithIp = process.platform === 'linux' && findOnPath('ip') !== undefined;
if (!onLinuxWithIp) console.warn('NOT VERIFIED: the Linux platform against a real host (needs Linux with iproute2 `ip`)');

describe.runIf(onLinuxWithIp)('linux platform on this host', () => {
  it('reads a whole tree of schema-valid values from the real /proc, /sys and ip', async () => {
    const model = new DataModel(Schema.load());
    // Its own nftables table (packet class counters, where nft runs here), removed by stop().
    const platform = registerLinuxPlatform(model, { packetCountersTable: `usp_agent_test_${process.pid}` });
    const out: ObjectValues[] = [];
    await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out).finally(() => platform.stop());
    const byPath = new Map(out.map((o) => [o.path, o.values]));
    expect(byPath.get('Device.DeviceInfo.')).toHaveProperty('UpTime');
    expect((byPath.get('Device.IP.')?.InterfaceNumberOfEntries as number) ?? 0).toBeGreaterThan(0);
    for (const { inst, path, values } of out) {
      for (const [name, v] of Object.entries(values)) {
        // Unknown here (ManufacturerOUI without factory data or a vendor MAC): a Get leaves it out.
        if (v === undefined) continue;
        const p = inst.node.params.get(name)!;
        expect(parseValue(p, formatValue(p, v)), `${path}${name} = ${JSON.stringify(v)}`).toStrictEqual(v);
      }
    }
  });
});

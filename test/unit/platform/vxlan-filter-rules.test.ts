/**
 * Device.VXLAN.Filter rows as every platform checks them (platform/vxlan-filter-rules.ts): what an
 * Interface reference names, the Status TR-181 asks for, which tunnel Interfaces a row applies to,
 * and TR-106 Order shifts.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../datamodel/UspError.js';
import { checkVxlanFilter, filterAppliesTo, nextFilterOrder, reorderedFilters, type VxlanRows, vxlanFilterStatus } from '../../../platform/vxlan-filter-rules.js';

/** Tunnel 1 with Interfaces 1 and 2; Tunnel 3 with none. */
const ROWS: VxlanRows = { tunnels: () => [1, 3], interfaces: (t) => (t === 1 ? [1, 2] : []) };

const refused = (row: Record<string, string | number | boolean>): string | undefined => {
  try {
    checkVxlanFilter(row, row, ROWS);
  } catch (e) {
    if (e instanceof UspError && e.code === ErrorCode.InvalidValue) return e.paramErrors?.[0]?.param;
    throw e;
  }
  return undefined;
};

describe('VXLAN Filter rules', () => {
  it('takes a Tunnel or tunnel Interface row that exists, refuses anything else (7012)', () => {
    expect(refused({ Interface: 'Device.VXLAN.Tunnel.1' })).toBeUndefined();
    expect(refused({ Interface: 'Device.VXLAN.Tunnel.1.Interface.2' })).toBeUndefined();
    expect(refused({ Interface: '' })).toBeUndefined();
    expect(refused({ Interface: 'Device.VXLAN.Tunnel.2' })).toBe('Interface');
    expect(refused({ Interface: 'Device.VXLAN.Tunnel.3.Interface.1' })).toBe('Interface');
    expect(refused({ Interface: 'Device.IP.Interface.1' })).toBe('Interface');
    expect(refused({ VLANIDCheck: 4094 })).toBeUndefined();
    expect(refused({ VLANIDCheck: -1 })).toBeUndefined();
    expect(refused({ VLANIDCheck: 4095 })).toBe('VLANIDCheck');
  });

  it('reads Error_Misconfigured while enabled with no valid Interface and not AllInterfaces', () => {
    expect(vxlanFilterStatus({ Enable: false, Interface: 'Device.VXLAN.Tunnel.9' }, ROWS)).toBe('Disabled');
    expect(vxlanFilterStatus({ Enable: true, Interface: '' }, ROWS)).toBe('Error_Misconfigured');
    expect(vxlanFilterStatus({ Enable: true, Interface: 'Device.VXLAN.Tunnel.9' }, ROWS)).toBe('Error_Misconfigured');
    expect(vxlanFilterStatus({ Enable: true, Interface: '', AllInterfaces: true }, ROWS)).toBe('Enabled');
    expect(vxlanFilterStatus({ Enable: true, Interface: 'Device.VXLAN.Tunnel.1.Interface.1' }, ROWS)).toBe('Enabled');
  });

  it("applies to every Interface, a Tunnel's Interfaces, or one Interface", () => {
    expect(filterAppliesTo({ AllInterfaces: true, Interface: 'Device.VXLAN.Tunnel.3' }, 1, 2)).toBe(true);
    expect(filterAppliesTo({ Interface: 'Device.VXLAN.Tunnel.1' }, 1, 2)).toBe(true);
    expect(filterAppliesTo({ Interface: 'Device.VXLAN.Tunnel.1' }, 3, 1)).toBe(false);
    expect(filterAppliesTo({ Interface: 'Device.VXLAN.Tunnel.1.Interface.1' }, 1, 1)).toBe(true);
    expect(filterAppliesTo({ Interface: 'Device.VXLAN.Tunnel.1.Interface.1' }, 1, 2)).toBe(false);
  });

  it('puts a row given a taken Order in its place and moves the rest down; a new row goes last', () => {
    const rows: Array<[number, Record<string, number>]> = [
      [1, { Order: 1 }],
      [2, { Order: 2 }],
      [3, { Order: 4 }],
      [4, { Order: 2 }],
    ];
    expect([...reorderedFilters(rows, 4, 2)]).toEqual([
      [2, 3],
      [3, 5],
    ]);
    expect(reorderedFilters(rows, 3, 4).size).toBe(0);
    expect(nextFilterOrder(rows.map(([, r]) => r))).toBe(5);
    expect(nextFilterOrder([])).toBe(1);
  });
});

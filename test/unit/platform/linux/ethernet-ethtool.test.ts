import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { ethtoolArgs, parseEthtool } from '../../../../platform/linux/ethernet-ethtool.js';
import { fixture } from './fake-host.js';

describe('linux platform: Ethernet MaxBitRate and DuplexMode from ethtool', () => {
  it('reads a forced link as its speed and duplex (recorded: a tap device set to 100 Mb/s half duplex)', () => {
    expect(parseEthtool(fixture('ethtool-tap-forced.txt'))).toEqual({ MaxBitRate: 100, DuplexMode: 'Half' });
  });

  it('reads a virtual NIC with no speed as automatic (recorded: this host eth0)', () => {
    expect(parseEthtool(fixture('ethtool-eth0.txt'))).toEqual({ MaxBitRate: -1, DuplexMode: 'Auto' });
  });

  it('reads autonegotiation as automatic, whatever the link runs at now', () => {
    // Illustrative: the lines ethtool prints for a PHY that negotiated 1 Gb/s.
    expect(parseEthtool('Settings for eno1:\n\tSpeed: 1000Mb/s\n\tDuplex: Full\n\tAuto-negotiation: on\n')).toEqual({ MaxBitRate: -1, DuplexMode: 'Auto' });
  });

  it('writes both automatic as autoneg on, both fixed as a forced link, and refuses one of each (7012)', () => {
    const path = 'Device.Ethernet.Interface.1.';
    expect(ethtoolArgs('eth1', { MaxBitRate: -1, DuplexMode: 'Auto' }, path)).toEqual(['-s', 'eth1', 'autoneg', 'on']);
    expect(ethtoolArgs('eth1', { MaxBitRate: 100, DuplexMode: 'Full' }, path)).toEqual(['-s', 'eth1', 'speed', '100', 'duplex', 'full', 'autoneg', 'off']);
    expect(() => ethtoolArgs('eth1', { MaxBitRate: 100, DuplexMode: 'Auto' }, path)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidValue }));
    expect(() => ethtoolArgs('eth1', { MaxBitRate: -1, DuplexMode: 'Half' }, path)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidValue }));
  });
});

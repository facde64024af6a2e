import { describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { CommandError } from '../../../../platform/exec/CommandError.js';
import { maskToPrefix } from '../../../../platform/linux/ip-address-write.js';
import { ipWriteError, ManagedInterfaces } from '../../../../platform/linux/ip-write.js';

const exit = (stderr: string): CommandError => new CommandError('exit', 'ip addr add 192.0.2.1/24 dev eth9', `exit 1: ${stderr}`, 1, `${stderr}\n`);

describe('Linux write-back helpers', () => {
  it('manages no interface unless told, names or all', () => {
    expect(new ManagedInterfaces().any).toBe(false);
    expect(new ManagedInterfaces([]).has('eth0')).toBe(false);
    const some = new ManagedInterfaces(['eth1', 'br-lan']);
    expect([some.has('eth1'), some.has('br-lan'), some.has('eth0')]).toEqual([true, true, false]);
    expect(new ManagedInterfaces(['*']).has('anything')).toBe(true);
  });

  it("maps ip's message to the TR-369 error a controller can act on, keeping the message", () => {
    expect(ipWriteError(exit('Cannot find device "eth9"')).code).toBe(ErrorCode.ObjectDoesNotExist);
    expect(ipWriteError(exit('Error: ipv4: Address already assigned.')).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect(ipWriteError(exit('RTNETLINK answers: Operation not permitted')).code).toBe(ErrorCode.RequestDenied);
    expect(ipWriteError(exit('Error: mtu less than device minimum.')).code).toBe(ErrorCode.InvalidValue);
    expect(ipWriteError(exit('something new')).code).toBe(ErrorCode.RequestDenied);
    expect(ipWriteError(exit('Cannot find device "eth9"')).message).toContain('Cannot find device "eth9"');
    expect(ipWriteError(new CommandError('missing', 'ip link', 'ip is not installed')).code).toBe(ErrorCode.InternalError);
    expect(ipWriteError(new CommandError('timeout', 'ip link', 'no answer')).code).toBe(ErrorCode.InternalError);
    const own = new UspError(ErrorCode.RequestDenied, 'x');
    expect(ipWriteError(own)).toBe(own);
  });

  it('turns subnet masks into prefix lengths and refuses what is no mask', () => {
    expect(['255.255.255.0', '255.255.0.0', '255.255.255.255', '0.0.0.0', '255.255.255.252'].map((m) => maskToPrefix(m, 'p.'))).toEqual([24, 16, 32, 0, 30]);
    for (const bad of ['255.0.255.0', '255.255.255', '', '1.2.3.4.5', '256.0.0.0', undefined]) {
      expect(() => maskToPrefix(bad, 'p.'), String(bad)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidValue }) as Error);
    }
  });
});

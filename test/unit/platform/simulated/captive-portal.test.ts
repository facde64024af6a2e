import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { type SimFixture, simulated } from './fixture.js';
import { expectSharedCode, simulatedFleet } from './fleet-fixture.js';

describe('simulated platform: Device.CaptivePortal.', () => {
  let sim: SimFixture | undefined;
  afterEach(() => sim?.stop());

  it('ships disabled; Status follows Enable and URL', async () => {
    sim = simulated();
    expect(await sim.values('Device.CaptivePortal.')).toEqual({ Enable: false, Status: 'Disabled', AllowedList: '', URL: '' });
    await sim.set('Device.CaptivePortal.', { Enable: true });
    expect((await sim.values('Device.CaptivePortal.')).Status).toBe('Error_URLEmpty');
    await sim.set('Device.CaptivePortal.', { URL: 'http://portal.example.net/', AllowedList: '192.0.2.1,2001:db8::/32' });
    expect(await sim.values('Device.CaptivePortal.')).toEqual({ Enable: true, Status: 'Enabled', AllowedList: '192.0.2.1,2001:db8::/32', URL: 'http://portal.example.net/' });
  });

  it('refuses a URL that is not http:// and AllowedList entries that are no address or prefix (7012), keeping the values', async () => {
    sim = simulated();
    await sim.set('Device.CaptivePortal.', { URL: 'http://portal.example.net/' });
    const bad: Array<Record<string, string>> = [{ URL: 'https://portal.example.net/' }, { AllowedList: '10.0.0.0/33' }, { AllowedList: 'nonsense!' }];
    for (const changes of bad) {
      await expect(sim.set('Device.CaptivePortal.', changes)).rejects.toMatchObject({ code: ErrorCode.InvalidValue });
    }
    expect(await sim.values('Device.CaptivePortal.')).toMatchObject({ AllowedList: '', URL: 'http://portal.example.net/' });
  });
});

describe('simulated Device.CaptivePortal. in a fleet', () => {
  const fleet = simulatedFleet(3);

  it("two gateways share the binding's code and parameter list", async () => {
    const [a, b] = fleet(2);
    expectSharedCode('Device.CaptivePortal.', a!.binding('Device.CaptivePortal.'), b!.binding('Device.CaptivePortal.'));
    for (const gw of [a!, b!]) expect((await gw.values('Device.CaptivePortal.')).Status).toBe('Disabled');
  });
});

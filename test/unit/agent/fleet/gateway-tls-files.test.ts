import { describe, expect, it } from 'vitest';
import { checkFleetTlsFiles, gatewayTlsFiles } from '../../../../agent/fleet/gateway-defaults.js';

describe('gatewayTlsFiles', () => {
  it('gives gateway n its own certificate and key when their paths hold {n}; the CA stays shared', () => {
    expect(gatewayTlsFiles({ cert: 'certs/sim-{n}.pem', key: 'certs/sim-{n}.key', ca: 'ca.pem' }, 42)).toEqual({ cert: 'certs/sim-42.pem', key: 'certs/sim-42.key', ca: 'ca.pem' });
  });

  it('gives every gateway the one shared certificate when the paths hold no {n}', () => {
    const shared = { cert: 'fleet.pem', key: 'fleet.key', ca: 'ca.pem' };
    expect(gatewayTlsFiles(shared, 1)).toEqual(shared);
    expect(gatewayTlsFiles(shared, 20_000)).toEqual(shared);
    expect(gatewayTlsFiles(undefined, 1)).toBeUndefined();
  });
});

describe('checkFleetTlsFiles', () => {
  it('takes {n} in both --cert and --key, or in neither', () => {
    expect(() => checkFleetTlsFiles({ cert: 'sim-{n}.pem', key: 'sim-{n}.key' })).not.toThrow();
    expect(() => checkFleetTlsFiles({ cert: 'fleet.pem', key: 'fleet.key', ca: 'ca.pem' })).not.toThrow();
    expect(() => checkFleetTlsFiles({ ca: 'ca.pem' })).not.toThrow();
    expect(() => checkFleetTlsFiles(undefined)).not.toThrow();
  });

  it('refuses {n} in only one of --cert and --key, and in --ca', () => {
    expect(() => checkFleetTlsFiles({ cert: 'sim-{n}.pem', key: 'fleet.key' })).toThrow(/either both hold \{n\}/);
    expect(() => checkFleetTlsFiles({ cert: 'fleet.pem', key: 'sim-{n}.key' })).toThrow(/either both hold \{n\}/);
    expect(() => checkFleetTlsFiles({ cert: 'a.pem', key: 'a.key', ca: 'ca-{n}.pem' })).toThrow(/--ca ca-\{n\}\.pem: the CA file is shared/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const LOC = 'Device.DeviceInfo.Location.';
const POINT = '<gml:Point xmlns:gml="http://www.opengis.net/gml" srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>48.1 11.5</gml:pos></gml:Point>';

describe('simulated platform: Device.DeviceInfo.Location.{i}', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it("serves the modem's GNSS fix once it has one, fixed by the seed", async () => {
    sim = simulated();
    expect(await sim.values(`${LOC}1.`)).toMatchObject({ Source: 'GPS', AcquiredTime: '0001-01-01T00:00:00Z', DataObject: '' });
    sim.advance(60);
    const fix = await sim.values(`${LOC}1.`);
    expect(fix).toMatchObject({ Source: 'GPS', AcquiredTime: '2025-03-10T08:00:45Z', ExternalSource: '', ExternalProtocol: '' });
    expect(fix.DataObject).toMatch(/^<gml:Point .*<gml:pos>\d+\.\d{6} -?\d+\.\d{6}<\/gml:pos><\/gml:Point>$/);
    expect(expectSchemaTyped((await sim.readAll()).filter((o) => o.path.startsWith(LOC)))).toBeGreaterThan(4);
    const other = simulated(9);
    other.advance(60);
    expect((await other.values(`${LOC}1.`)).DataObject).not.toBe(fix.DataObject);
    other.stop();
  });

  it("takes one USP-configured location, whose DataObject a Controller writes; the GNSS row stays the modem's", async () => {
    sim = simulated();
    expect(await sim.add(LOC, { DataObject: POINT })).toBe(2);
    expect(await sim.values(`${LOC}2.`)).toMatchObject({ Source: 'External', ExternalProtocol: 'USP', DataObject: POINT, AcquiredTime: '2025-03-10T08:00:00Z' });
    sim.advance(30);
    await sim.set(`${LOC}2.`, { DataObject: POINT.replace('48.1', '48.2') });
    expect((await sim.values(`${LOC}2.`)).AcquiredTime).toBe('2025-03-10T08:00:30Z');
    expect((await refusal(() => sim.add(LOC, { DataObject: POINT }))).code).toBe(ErrorCode.ResourcesExceeded);
    expect((await refusal(() => sim.set(`${LOC}2.`, { DataObject: '48.2 11.5' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${LOC}1.`, { DataObject: POINT }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.del(`${LOC}1.`))).code).toBe(ErrorCode.DeleteFailure);
    await sim.del(`${LOC}2.`);
    expect(await sim.instances(LOC)).toEqual([1]);
    expect(await sim.add(LOC, {})).toBe(3);
  });
});

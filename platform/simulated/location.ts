/**
 * Device.DeviceInfo.Location.{i}. of the simulated gateway (TR-181 Location:1): row 1 is the
 * modem's GNSS fix (Source GPS; the gateway does not move, so one seeded position, in RFC 5491
 * GML); the Controller's External row is the agent's shared Location table (platform/location-table.ts).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { type FixedLocation, registerLocationTable } from '../location-table.js';
import { Prng } from './random.js';
import { dateTime, type SimContext } from './SimContext.js';

/** Seconds from power-on to the modem's first GNSS fix (a warm start). */
const FIRST_FIX_S = 45;
const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

/** RFC 5491 point (WGS 84, latitude then longitude) of a position in degrees. */
export function gmlPoint(lat: number, lon: number): string {
  return `<gml:Point xmlns:gml="http://www.opengis.net/gml" srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>${lat.toFixed(6)} ${lon.toFixed(6)}</gml:pos></gml:Point>`;
}

/** The modem's GNSS fix as the Location table's row 1: a class, one copy of its method for a fleet (issue 14). */
class GnssFix implements FixedLocation {
  readonly owner = "the GNSS fix is the modem's";

  constructor(
    private readonly ctx: SimContext,
    private readonly gps: string,
  ) {}

  values(): Record<string, Value> {
    const fixed = this.ctx.elapsed() >= FIRST_FIX_S;
    return {
      Source: 'GPS',
      AcquiredTime: fixed ? dateTime(this.ctx.bootedAt + FIRST_FIX_S * 1000) : UNKNOWN_TIME,
      ExternalSource: '',
      ExternalProtocol: '',
      DataObject: fixed ? this.gps : '',
    };
  }
}

/** Serves the Location table: the GNSS row and the stored External rows. */
export function registerLocation(ctx: SimContext): void {
  // Somewhere in Europe's temperate belt, fixed by the seed.
  const rnd = new Prng(ctx.seed, 'location');
  const gps = gmlPoint(rnd.int(44_000_000, 55_000_000) / 1e6, rnd.int(-2_000_000, 16_000_000) / 1e6);
  registerLocationTable(ctx.model, ctx.store, { now: ctx.now, fixed: new GnssFix(ctx, gps) });
}

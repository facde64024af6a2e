/**
 * Device.IoTCapability.{i}. of the simulated gateway: the smart-home functions a 5G gateway
 * with a Zigbee/Thread radio bundles, one row per Class (BinaryControl:1 ... BlobSensor:1):
 *
 * | n | Class            | what                      | moves / takes effect                              |
 * |---|------------------|---------------------------|---------------------------------------------------|
 * | 1 | BinaryControl    | smart-plug relay          | Set / Toggle(); powers the ventilation fan        |
 * | 2 | LevelControl     | dimmable light, 0..100 %  | Set, StepUp()/StepDown(); lights the colour sensor|
 * | 3 | EnumControl      | ventilation mode          | Set, StepUp()/StepDown(); Boost runs the fan High |
 * | 4 | BinarySensor     | front-door contact        | opens a few times an hour (seeded)                |
 * | 5 | LevelSensor      | room temperature, degC    | daily cycle and drift; thresholds writable        |
 * | 6 | MultiLevelSensor | ambient light colour, RGB | follows the daylight                              |
 * | 7 | EnumSensor       | fan state                 | from the room temperature and the mode            |
 * | 8 | BlobSensor       | last door event, JSON     | the door's last opening                           |
 *
 * TR-181 allows MultiLevelSensor Types RGB and Location only, so the multi-level sensor is a
 * colour sensor (an air-quality reading has no Type there). The definitions are module
 * constants shared by a fleet; a gateway makes its source when first read (a deferred group),
 * and its values are pure functions of the seed, the clock and what was written (the store).
 */
import { IOT_CLASSES, decimal, type IoTCapabilityRow, type IoTSource } from '../iot/iot-classes.js';
import { registerIoTCapabilities } from '../iot/iot-bindings.js';
import type { Value } from '../../datamodel/value/Value.js';
import { unit } from './random.js';
import type { SimContext } from './SimContext.js';

const ROW = 'Device.IoTCapability.';
const DAY_S = 86_400;
/** The door is looked at in slots of this many seconds; it opens at most once a slot. */
const DOOR_SLOT_S = 600;
const DOOR_OPEN_S = 45;
const DOOR_CHANCE = 0.35;
/** The room sensor samples every this many seconds (a Zigbee temperature sensor reports about as often). */
const ROOM_SAMPLE_S = 10;
const MODES = ['Eco', 'Normal', 'Boost'] as const;
const FAN_STATES = 'Off,Low,High';

/** What a Controller may write, per row, until written (shared by every gateway). */
const WRITABLE_DEFAULTS: Readonly<Record<number, Readonly<Record<string, Value>>>> = {
  1: { Value: true },
  2: { Value: '60', StepValue: '10' },
  3: { Value: 'Normal' },
  5: { LowLevelThreshold: '16', HighLevelThreshold: '28' },
};

const KEYS = ['relay', 'dimmer', 'mode', 'door', 'room', 'light', 'fan', 'door-event'] as const;

/** One gateway's capabilities. */
class SimulatedIoT implements IoTSource {
  constructor(private readonly ctx: SimContext) {}

  /** The stored values of row `n` over its defaults. */
  private written(n: number): Record<string, Value> {
    return { ...WRITABLE_DEFAULTS[n], ...this.ctx.store.row(`${ROW}${n}.${IOT_CLASSES[n - 1]}.`) };
  }

  private draw(...labels: Array<string | number>): number {
    return unit(this.ctx.seed, 'iot', this.ctx.identity.macBase, ...labels);
  }

  /** °C of the room: a daily cycle peaking mid-afternoon, a drift of a few hours, and the sensor's noise per sample. */
  private room(s: number): number {
    const phase = this.draw('room-phase') * 2 * Math.PI;
    return 21 + 2.5 * Math.sin((2 * Math.PI * s) / DAY_S - Math.PI / 2 + 0.6) + 0.8 * Math.sin((2 * Math.PI * s) / 14_400 + phase) + 0.4 * (this.draw('room', Math.floor(s / ROOM_SAMPLE_S)) - 0.5);
  }

  /** When the door last opened at or before `s` (seconds since the epoch), if in the last day. */
  private lastOpening(s: number): number | undefined {
    for (let slot = Math.floor(s / DOOR_SLOT_S), i = 0; i < DAY_S / DOOR_SLOT_S; slot--, i++) {
      if (this.draw('door', slot) >= DOOR_CHANCE) continue;
      const at = slot * DOOR_SLOT_S + Math.floor(this.draw('door-at', slot) * (DOOR_SLOT_S - DOOR_OPEN_S));
      if (at <= s) return at;
    }
    return undefined;
  }

  rows(): Promise<IoTCapabilityRow[]> {
    const s = this.ctx.now() / 1000;
    const [relay, dimmer, mode, , room] = [1, 2, 3, 4, 5].map((n) => this.written(n));
    const celsius = this.room(s);
    const opened = this.lastOpening(s);
    const open = opened !== undefined && s - opened < DOOR_OPEN_S;
    // Daylight 0..1 over the day; the colour warms at the ends of it.
    const day = Math.max(0, Math.sin((2 * Math.PI * (s % DAY_S)) / DAY_S - Math.PI / 2));
    // The dimmable light, a warm white, adds to what the colour sensor sees.
    const lamp = Number(dimmer.Value) / 100;
    const rgb = [230 * day + 10 + 60 * lamp, 200 * day + 8 + 48 * lamp, 170 * day ** 2 + 5 + 30 * lamp].map((c) => decimal(c, 0));
    // The ventilation fan is plugged into the smart plug: with the relay off it cannot run.
    const fan = relay.Value !== true ? 'Off' : mode.Value === 'Boost' ? 'High' : celsius >= 24 ? (mode.Value === 'Eco' ? 'Low' : 'High') : celsius >= 22 && mode.Value !== 'Eco' ? 'Low' : 'Off';
    const event = opened === undefined ? '' : Buffer.from(JSON.stringify({ event: 'DoorOpen', at: new Date(opened * 1000).toISOString() })).toString('base64');
    const values: Array<Record<string, Value | undefined>> = [
      { Type: 'Switch', Description: 'Smart plug relay', Value: relay.Value },
      { Type: 'Brightness', Description: 'Dimmable light', Value: dimmer.Value, Unit: '%', MinValue: '0', MaxValue: '100', StepValue: dimmer.StepValue },
      { Type: 'OperatingMode', Description: 'Ventilation mode', Value: mode.Value, ValidValues: MODES.join(',') },
      { Type: 'DoorOpen', Description: 'Front door contact', Value: open },
      { Type: 'Temperature', Description: 'Room temperature', Value: decimal(celsius, 1), Unit: 'degC', LowLevelThreshold: room.LowLevelThreshold, HighLevelThreshold: room.HighLevelThreshold },
      { Type: 'RGB', Description: 'Ambient light colour', Values: rgb.join(','), ValueNames: 'Red,Green,Blue', Unit: 'RGB' },
      { Type: 'FanState', Description: 'Ventilation fan', Value: fan, ValidValues: FAN_STATES },
      { Type: 'json', Description: 'Last front door event', Value: event },
    ];
    return Promise.resolve(values.map((v, i) => ({ key: KEYS[i], class: IOT_CLASSES[i], values: v })));
  }

  write(row: IoTCapabilityRow, changes: Record<string, Value>): Promise<void> {
    const n = KEYS.indexOf(row.key as (typeof KEYS)[number]) + 1;
    const path = `${ROW}${n}.${row.class}.`;
    // Decimals in their canonical form, so a stored "60.0" reads as "60".
    const decimals = row.class === 'LevelControl' || row.class === 'LevelSensor';
    const canonical = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, decimals ? decimal(Number(v)) : v]));
    this.ctx.store.setRow(path, { ...this.ctx.store.row(path), ...canonical });
    return Promise.resolve();
  }
}

/** Registers the simulated gateway's IoT capabilities (every Class). */
export function registerIoTCapabilitiesSim(ctx: SimContext): void {
  registerIoTCapabilities(ctx.model, new SimulatedIoT(ctx), IOT_CLASSES);
}

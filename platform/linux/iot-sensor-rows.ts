/**
 * The IoTCapability rows of the kernel's sensors that are not levels (iot-capabilities.ts has
 * the LEDs and the LevelSensors):
 *
 * | source                                        | Class            | Type / values                                  |
 * |-----------------------------------------------|------------------|------------------------------------------------|
 * | GPIO input line named for a detection         | BinarySensor     | DoorOpen, WaterDetected ...; Value: `value`    |
 * | IIO colour sensor (red/green/blue raw)        | MultiLevelSensor | RGB; Values the three counts, Unit "-"          |
 * | power supply `status`                         | EnumSensor       | OperatingState; ValidValues the kernel's set   |
 * | power supply `uevent`                         | BlobSensor       | text; Value the property lines, base64         |
 *
 * All read-only: nothing here takes a write. Row keys name the source, so a line or device that
 * goes and comes back keeps its instance number.
 */
import { decimal, type IoTCapabilityRow } from '../iot/iot-classes.js';
import type { HostFiles } from './HostFiles.js';
import { findGpioInputs, hasGpioInputsSync } from './gpio-input-sysfs.js';
import { findColourSensors, hasColourSensorSync } from './iio-colour-sysfs.js';
import { findSupplyStates, SUPPLY_STATUSES, supplyStateSync } from './power-supply-state.js';
import type { IoTClass } from '../iot/iot-classes.js';

/** The sensor rows sysfs has now, in a stable order: GPIO inputs, colour sensors, supply states. */
export async function kernelSensorRows(files: HostFiles): Promise<IoTCapabilityRow[]> {
  const rows: IoTCapabilityRow[] = [];
  for (const g of await findGpioInputs(files)) {
    rows.push({
      key: `gpio:${g.name}`,
      class: 'BinarySensor',
      values: { Type: g.type, Description: `GPIO input ${g.name}${g.activeLow ? ' (active low)' : ''}`, Value: g.active },
    });
  }
  for (const c of await findColourSensors(files)) {
    // A list with a channel missing would misplace the others: the whole reading is left out.
    const complete = c.rgb.every((v) => v !== undefined);
    rows.push({
      key: `iio:${c.device}`,
      class: 'MultiLevelSensor',
      values: { Type: 'RGB', Description: `Colour sensor ${c.name} (${c.device})`, Values: complete ? c.rgb.map((v) => decimal(v!)).join(',') : undefined, ValueNames: 'Red,Green,Blue', Unit: '-' },
    });
  }
  for (const s of await findSupplyStates(files)) {
    if (s.status !== undefined) {
      rows.push({
        key: `supply:${s.name}:status`,
        class: 'EnumSensor',
        values: { Type: 'OperatingState', Description: `Power supply ${s.name} status`, Value: s.status, ValidValues: SUPPLY_STATUSES.join(',') },
      });
    }
    if (s.uevent !== undefined) {
      rows.push({
        key: `supply:${s.name}:uevent`,
        class: 'BlobSensor',
        values: { Type: 'text', Description: `Power supply ${s.name} properties (uevent)`, Value: Buffer.from(s.uevent, 'utf8').toString('base64') },
      });
    }
  }
  return rows;
}

/** The Classes of kernelSensorRows the host has now, in TR-181 order: what GetSupportedDM then claims. */
export function kernelSensorClasses(files: HostFiles): IoTClass[] {
  const classes: IoTClass[] = [];
  if (hasGpioInputsSync(files)) classes.push('BinarySensor');
  if (hasColourSensorSync(files)) classes.push('MultiLevelSensor');
  const supply = supplyStateSync(files);
  if (supply.status) classes.push('EnumSensor');
  if (supply.uevent) classes.push('BlobSensor');
  return classes;
}

/**
 * The simulated gateway's own picture (TR-181 Device.DeviceInfo.DeviceImageFile.{i}., DeviceImage:1):
 * one Front view, a 48x32 PNG of a grey box with two antennas and four LEDs, drawn for this
 * project (148 bytes). An integrator's `--device-image-dir` replaces it.
 */
import { FixedDeviceImages } from '../device-images.js';

const FRONT_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAMAAABjCgsuAAAAD1BMVEX////IzNI8QEgoyFoyeOZ+8qEiAAAAQElEQVR42mNgoCNgYiJRZlTDqAYMGSYiAUIDI1GA7hqYmRGYhYUWGgadpwnH2mD3A6mJD6oHX6GINYWTpIF2AADZ3gNf/GJ2wAAAAABJRU5ErkJggg==';

/** One source for every simulated gateway of a fleet: the picture is the same for all. */
export const SIMULATED_DEVICE_IMAGES = new FixedDeviceImages([{ location: 'Front', image: FRONT_PNG }]);

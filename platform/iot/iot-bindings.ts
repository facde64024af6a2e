/**
 * Device.IoTCapability.{i}. and its sub-objects over any IoTSource: the table (Class), and one
 * binding per Class the platform can give, with its commands (Toggle(), StepUp(), StepDown()).
 * Only the Classes a platform found are registered, so GetSupportedDM claims no more than the
 * device has.
 *
 * Every row has each registered sub-object (a single-instance child exists on every row in the
 * USP instantiated model); the one its Class names carries the values, the others read empty
 * (every parameter left out) and refuse a Set (7012). Bindings are classes, one copy of their
 * methods for a fleet of simulated gateways (issue 14).
 */
import type { CommandBinding, CommandInvocation, InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { IOT_CLASS_PARAMS, IOT_ROW, levelIndicators, type IoTCapabilityRow, type IoTClass, type IoTSource } from './iot-classes.js';
import { invalidValues, steppedEnum, steppedLevel, validateChanges } from './iot-validate.js';

const CLASS_PARAMS = ['Class'] as const;

/** The rows of one source with their instance numbers (per device: a fleet gateway makes one when first read). */
class IoTRows {
  private readonly numbers = new InstanceMap();

  constructor(readonly source: IoTSource) {}

  async list(): Promise<number[]> {
    return this.numbers.list((await this.source.rows()).map((r) => r.key));
  }

  /** The row's stable key (an LED's name...), so what the agent keeps for it (its Alias) follows it across restarts. */
  identity(keys: InstanceKeys): string | undefined {
    return this.numbers.keyOf(keys[0]);
  }

  async row(keys: InstanceKeys): Promise<IoTCapabilityRow> {
    const key = this.numbers.keyOf(keys[0]);
    const row = key === undefined ? undefined : (await this.source.rows()).find((r) => r.key === key);
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no IoT capability ${keys[0]}`);
    return row;
  }

  /** The row of `keys`, which must be of `cls` (a Set or command on another Class's sub-object is 7012). */
  async rowOf(keys: InstanceKeys, cls: IoTClass): Promise<IoTCapabilityRow> {
    const row = await this.row(keys);
    if (row.class !== cls) throw new UspError(ErrorCode.InvalidValue, `Device.IoTCapability.${keys[0]}. is a ${row.class}, not a ${cls}`);
    return row;
  }
}

class TableBinding implements ObjectBinding {
  readonly params = CLASS_PARAMS;
  constructor(private readonly rows: IoTRows) {}
  list(): Promise<number[]> {
    return this.rows.list();
  }
  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    return { Class: (await this.rows.row(keys)).class };
  }
  rowIdentity(keys: InstanceKeys): string | undefined {
    return this.rows.identity(keys);
  }
}

/** Every parameter of a sub-object left out: the row is of another Class. */
function empty(cls: IoTClass): Record<string, Value | undefined> {
  return Object.fromEntries(IOT_CLASS_PARAMS[cls].map((p) => [p, undefined]));
}

class ClassBinding implements ObjectBinding {
  readonly params: readonly string[];
  readonly commands: Readonly<Record<string, CommandBinding>>;

  constructor(
    private readonly rows: IoTRows,
    private readonly cls: IoTClass,
  ) {
    this.params = IOT_CLASS_PARAMS[cls];
    this.commands = commandsOf(rows, cls);
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const row = await this.rows.row(keys);
    if (row.class !== this.cls) return empty(this.cls) as Record<string, Value>;
    const v = { ...row.values };
    if (this.cls === 'LevelSensor') Object.assign(v, levelIndicators(v.Value, v.LowLevelThreshold, v.HighLevelThreshold));
    return v as Record<string, Value>;
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const row = await this.rows.rowOf(keys, this.cls).catch((e: unknown) => {
      throw e instanceof UspError && e.code === ErrorCode.InvalidValue ? invalidValues(Object.keys(changes).map((param) => ({ param, message: e.message }))) : e;
    });
    validateChanges(row, changes);
    await this.rows.source.write(row, changes);
  }
}

/** A command that reads its row, computes the change and writes it as a Set would (validated). */
class StepCommand implements CommandBinding {
  constructor(
    private readonly rows: IoTRows,
    private readonly cls: IoTClass,
    private readonly change: (row: IoTCapabilityRow) => Record<string, Value>,
  ) {}

  async run({ keys }: CommandInvocation): Promise<Record<string, Value>> {
    const row = await this.rows.rowOf(keys, this.cls);
    const changes = this.change(row);
    validateChanges(row, changes);
    await this.rows.source.write(row, changes);
    return {};
  }
}

function commandsOf(rows: IoTRows, cls: IoTClass): Record<string, CommandBinding> {
  switch (cls) {
    case 'BinaryControl':
      return { 'Toggle()': new StepCommand(rows, cls, (r) => ({ Value: r.values.Value !== true })) };
    case 'LevelControl':
      return {
        'StepUp()': new StepCommand(rows, cls, (r) => ({ Value: String(steppedLevel(r, 1)) })),
        'StepDown()': new StepCommand(rows, cls, (r) => ({ Value: String(steppedLevel(r, -1)) })),
      };
    case 'EnumControl':
      return {
        'StepUp()': new StepCommand(rows, cls, (r) => ({ Value: steppedEnum(r, 1) })),
        'StepDown()': new StepCommand(rows, cls, (r) => ({ Value: steppedEnum(r, -1) })),
      };
    default:
      return {};
  }
}

/**
 * Registers Device.IoTCapability.{i}. (Device.IoTCapabilityNumberOfEntries follows from the
 * table) with the sub-objects of `classes`, served from `source`. With no class, nothing is
 * registered: the device has no capability to claim.
 */
export function registerIoTCapabilities(model: DataModel, source: IoTSource, classes: Iterable<IoTClass>): void {
  const wanted = [...new Set(classes)];
  if (wanted.length === 0) return;
  const rows = new IoTRows(source);
  model.register(IOT_ROW, new TableBinding(rows));
  for (const cls of wanted) model.register(`${IOT_ROW}${cls}.`, new ClassBinding(rows, cls));
}

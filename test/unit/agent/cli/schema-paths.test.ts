import { describe, expect, it } from 'vitest';
import { alignRows, errorLine, renderAnswer } from '../../../../agent/cli/format-response.js';
import { splitAssignment, setRequest } from '../../../../agent/cli/requests.js';
import { lookupSchemaItem, nearestNames, supportedPathOf } from '../../../../agent/cli/schema-paths.js';
import { CliError } from '../../../../agent/cli/cli-error.js';
import { testSchema } from '../../../peers/agent-fixture.js';

describe('CLI paths against the schema', () => {
  it('instance numbers, *, search expressions and {i} all become {i}', () => {
    expect(supportedPathOf('Device.WiFi.Radio.1.Channel')).toBe('Device.WiFi.Radio.{i}.Channel');
    expect(supportedPathOf('Device.WiFi.Radio.*.')).toBe('Device.WiFi.Radio.{i}.');
    expect(supportedPathOf('Device.IP.Interface.[Name=="wan.1"].IPv4Address.{i}.IPAddress')).toBe('Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress');
  });

  it('finds parameters, objects (with or without the table level), commands and events', () => {
    const s = testSchema();
    expect(lookupSchemaItem(s, 'Device.WiFi.Radio.2.Channel').kind).toBe('parameter');
    expect(lookupSchemaItem(s, 'Device.WiFi.Radio.').path).toBe('Device.WiFi.Radio.{i}.');
    expect(lookupSchemaItem(s, 'Device.Reboot()').kind).toBe('command');
    expect(lookupSchemaItem(s, 'Device.Boot!').kind).toBe('event');
  });

  it('an unknown name is a usage error naming the nearest known names at that place', () => {
    const s = testSchema();
    let err: unknown;
    try {
      lookupSchemaItem(s, 'Device.DeviceInfo.SerialNumbr');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as CliError).message).toContain('nearest known: Device.DeviceInfo.SerialNumber');
    expect(nearestNames('chanel', ['Channel', 'Enable', 'Status'])).toEqual(['Channel']);
  });
});

describe('CLI arguments and output', () => {
  it('NAME=VALUE splits at the first = outside a search expression', () => {
    expect(splitAssignment('Device.X.[Alias=="a"].Name=b=c')).toEqual({ name: 'Device.X.[Alias=="a"].Name', value: 'b=c' });
    expect(() => splitAssignment('Device.X.Name')).toThrow(CliError);
  });

  it('set groups parameters by object, in the order given', () => {
    const r = setRequest(['Device.DeviceInfo.HostName=a', 'Device.LocalAgent.MTP.1.Enable=true', 'Device.DeviceInfo.ProvisioningCode=p'], false);
    expect(r).toEqual({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          {
            objPath: 'Device.DeviceInfo.',
            paramSettings: [
              { param: 'HostName', value: 'a', required: true },
              { param: 'ProvisioningCode', value: 'p', required: true },
            ],
          },
          { objPath: 'Device.LocalAgent.MTP.1.', paramSettings: [{ param: 'Enable', value: 'true', required: true }] },
        ],
      },
    });
    expect(() => setRequest(['Device.LocalAgent.MTP.1.Enable=yes'], false)).toThrow(/Enable: "yes" is not a boolean .*; expected boolean/);
  });

  it('rows are aligned on the widest path; errors start with the code', () => {
    expect(
      alignRows([
        ['A.B', '1'],
        ['A.LongName', '2'],
      ]),
    ).toBe('A.B         1\nA.LongName  2');
    expect(errorLine(7026, 'Invalid path', 'Device.X.')).toBe('7026 Invalid path (Device.X.)');
    expect(renderAnswer({ kind: 'error', error: { errCode: 7004, errMsg: 'Invalid arguments' } }).errors).toEqual(['7004 Invalid arguments']);
  });
});

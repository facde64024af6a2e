import { describe, it, expect } from 'vitest';
import { parsePath } from '../../../../datamodel/path/parse-path.js';
import { formatPath } from '../../../../datamodel/path/format-path.js';
import type { ParsedPath, PathMode, SearchSegment, Segment } from '../../../../datamodel/path/Path.js';
import { mulberry32 } from '../../../../bench/prng.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';

const name = (n: string): Segment => ({ kind: 'name', name: n });
const inst = (n: number): Segment => ({ kind: 'instance', n });

function searchOf(p: ParsedPath, index: number): SearchSegment {
  const s = p.segments[index];
  if (s?.kind !== 'search') throw new Error(`segment ${index} is not a search`);
  return s;
}

function expect7008(text: string, mode: PathMode = 'instantiated'): UspError {
  let caught: unknown;
  try {
    parsePath(text, { mode });
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${JSON.stringify(text)} to be rejected`).toBeInstanceOf(UspError);
  const err = caught as UspError;
  expect(err.code).toBe(ErrorCode.InvalidPathSyntax);
  expect(err.path).toBe(text);
  return err;
}

describe('parsePath: path kinds', () => {
  it('parses an object path', () => {
    const p = parsePath('Device.LocalAgent.');
    expect(p).toEqual({
      text: 'Device.LocalAgent.',
      segments: [name('Device'), name('LocalAgent')],
      kind: 'object',
      isSearch: false,
    });
    expect(p.leaf).toBeUndefined();
  });

  it('parses "Device." alone', () => {
    expect(parsePath('Device.')).toMatchObject({ segments: [name('Device')], kind: 'object' });
  });

  it('parses an object instance path', () => {
    const p = parsePath('Device.LocalAgent.Controller.12.');
    expect(p.kind).toBe('object');
    expect(p.segments).toEqual([name('Device'), name('LocalAgent'), name('Controller'), inst(12)]);
    expect(p.isSearch).toBe(false);
  });

  it('parses a parameter path', () => {
    const p = parsePath('Device.LocalAgent.Controller.1.EndpointID');
    expect(p.kind).toBe('parameter');
    expect(p.leaf).toBe('EndpointID');
    expect(p.segments).toEqual([name('Device'), name('LocalAgent'), name('Controller'), inst(1)]);
  });

  it('parses a parameter directly below Device', () => {
    expect(parsePath('Device.RootDataModelVersion')).toMatchObject({ kind: 'parameter', leaf: 'RootDataModelVersion' });
  });

  it('parses command paths', () => {
    expect(parsePath('Device.Reboot()')).toMatchObject({ kind: 'command', leaf: 'Reboot()', segments: [name('Device')] });
    const p = parsePath('Device.IP.Interface.[Name=="eth0"].Reset()');
    expect(p.kind).toBe('command');
    expect(p.leaf).toBe('Reset()');
    expect(p.isSearch).toBe(true);
  });

  it('parses event paths', () => {
    expect(parsePath('Device.Boot!')).toMatchObject({ kind: 'event', leaf: 'Boot!' });
    expect(parsePath('Device.LocalAgent.Periodic!')).toMatchObject({ kind: 'event', leaf: 'Periodic!' });
    expect(parsePath('Device.LocalAgent.Threshold.*.Triggered!')).toMatchObject({ kind: 'event', isSearch: true });
  });

  it('parses wildcards', () => {
    const p = parsePath('Device.IP.Interface.*.IPv4Address.*.IPAddress');
    expect(p.segments).toEqual([name('Device'), name('IP'), name('Interface'), { kind: 'wildcard' }, name('IPv4Address'), { kind: 'wildcard' }]);
    expect(p.leaf).toBe('IPAddress');
    expect(p.isSearch).toBe(true);
  });

  it('accepts names with digits, underscores and (after the first char) hyphens', () => {
    const p = parsePath('Device.X_EXAMPLE-COM_Thing.IPv6Prefix_2.X_00256D_Flag');
    expect(p.segments).toEqual([name('Device'), name('X_EXAMPLE-COM_Thing'), name('IPv6Prefix_2')]);
    expect(p.leaf).toBe('X_00256D_Flag');
    expect(parsePath('Device._private.')).toMatchObject({ segments: [name('Device'), name('_private')] });
  });

  it('keeps the original text', () => {
    const text = 'Device.IP.Interface.[ Name == "eth0" ].Status';
    expect(parsePath(text).text).toBe(text);
  });

  it('accepts the largest unsignedInt instance number', () => {
    expect(parsePath('Device.X.4294967295.').segments[2]).toEqual(inst(4294967295));
  });
});

describe('parsePath: search expressions', () => {
  it.each([
    ['==', '[Type=="Normal"]'],
    ['!=', '[Type!="Normal"]'],
    ['<', '[Stats.ErrorsSent<10]'],
    ['>', '[Stats.ErrorsSent>0]'],
    ['<=', '[MaxBitRate<=-12]'],
    ['>=', '[MaxBitRate>=3.5]'],
    ['~=', '[LowerLayers~="Device.Ethernet.Interface.1"]'],
  ] as const)('supports operator %s', (op, expr) => {
    const p = parsePath(`Device.IP.Interface.${expr}.Status`);
    const s = searchOf(p, 3);
    expect(s.terms).toHaveLength(1);
    expect(s.terms[0]!.op).toBe(op);
    expect(p.isSearch).toBe(true);
  });

  it('splits a term path through single-instance sub-objects', () => {
    const s = searchOf(parsePath('Device.IP.Interface.[Type=="Normal"&&Stats.ErrorsSent>0].IPv4Address.'), 3);
    expect(s.terms).toEqual([
      { path: [name('Type')], op: '==', value: 'Normal', quoted: true },
      { path: [name('Stats'), name('ErrorsSent')], op: '>', value: '0', quoted: false },
    ]);
  });

  it('keeps unquoted numbers and booleans as written', () => {
    const s = searchOf(parsePath('Device.X.[A==-12&&B==3.5&&C==true&&D!=false&&E==0123&&F==0].'), 2);
    expect(s.terms.map((t) => [t.value, t.quoted])).toEqual([
      ['-12', false],
      ['3.5', false],
      ['true', false],
      ['false', false],
      ['0123', false],
      ['0', false],
    ]);
  });

  it('decodes %22 and %25 in quoted values, and keeps other % sequences', () => {
    const s = searchOf(parsePath('Device.X.[A=="say %22hi%22"&&B=="100%25"&&C=="%2522"&&D=="50%"&&E=="%41%2"].'), 2);
    expect(s.terms.map((t) => t.value)).toEqual(['say "hi"', '100%', '%22', '50%', '%41%2']);
    expect(s.terms.every((t) => t.quoted)).toBe(true);
  });

  it('allows any other character inside quotes, including ] && . { and spaces', () => {
    const s = searchOf(parsePath('Device.X.[A=="a]b&&c.d{i} [e] ünï"].Y'), 2);
    expect(s.terms[0]!.value).toBe('a]b&&c.d{i} [e] ünï');
    expect(searchOf(parsePath('Device.X.[A==""].'), 2).terms[0]).toEqual({ path: [name('A')], op: '==', value: '', quoted: true });
  });

  it('tolerates whitespace around operators, && and brackets (R-ARC.9a)', () => {
    const tight = parsePath('Device.X.[A=="x"&&B.C<=5].');
    for (const text of ['Device.X.[A == "x" && B.C <= 5].', 'Device.X.[ A=="x"&&B.C<=5 ].', 'Device.X.[\tA\t==\t"x"\t&&\tB.C\t<=\t5\t].', 'Device.X.[A  ==  "x"  &&  B.C<=  5].']) {
      expect(parsePath(text).segments).toEqual(tight.segments);
    }
  });

  it('parses multi-term unique-key addressing', () => {
    const p = parsePath('Device.NAT.PortMapping.[RemoteHost==""&&ExternalPort==0&&Protocol=="TCP"].Enable');
    expect(searchOf(p, 3).terms).toEqual([
      { path: [name('RemoteHost')], op: '==', value: '', quoted: true },
      { path: [name('ExternalPort')], op: '==', value: '0', quoted: false },
      { path: [name('Protocol')], op: '==', value: 'TCP', quoted: true },
    ]);
    expect(p.leaf).toBe('Enable');
    expect(p.isSearch).toBe(true);
  });

  it('mixes addressing styles in one path', () => {
    const p = parsePath('Device.IP.Interface.[Name=="eth0"].IPv4Address.[Status=="Enabled"].IPAddress');
    expect(p.segments.map((s) => s.kind)).toEqual(['name', 'name', 'name', 'search', 'name', 'search']);
    expect(parsePath('Device.A.1.B.*.C.[X==1].D.2.').segments.map((s) => s.kind)).toEqual(['name', 'name', 'instance', 'name', 'wildcard', 'name', 'search', 'name', 'instance']);
  });
});

describe('parsePath: reference following', () => {
  it('follows a reference in the path', () => {
    const p = parsePath('Device.NAT.PortMapping.1.Interface+.Name');
    expect(p.segments).toEqual([name('Device'), name('NAT'), name('PortMapping'), inst(1), { kind: 'name', name: 'Interface', ref: { index: 1 } }]);
    expect(p.leaf).toBe('Name');
    expect(p.isSearch).toBe(true);
  });

  it('follows the n-th and every item of a list reference', () => {
    expect(parsePath('Device.IP.Interface.1.LowerLayers#2+.Name').segments[4]).toEqual({
      kind: 'name',
      name: 'LowerLayers',
      ref: { index: 2 },
    });
    expect(parsePath('Device.IP.Interface.1.LowerLayers#*+.Name').segments[4]).toEqual({
      kind: 'name',
      name: 'LowerLayers',
      ref: { index: '*' },
    });
    expect(parsePath('Device.IP.Interface.1.LowerLayers#1+.Name').segments[4]).toEqual({
      kind: 'name',
      name: 'LowerLayers',
      ref: { index: 1 },
    });
  });

  it('chains reference follows and reaches objects, commands and events through them', () => {
    const p = parsePath('Device.WiFi.AccessPoint.1.SSIDReference+.LowerLayers#*+.Stats.');
    expect(p.kind).toBe('object');
    expect(p.segments.slice(4)).toEqual([{ kind: 'name', name: 'SSIDReference', ref: { index: 1 } }, { kind: 'name', name: 'LowerLayers', ref: { index: '*' } }, name('Stats')]);
    expect(parsePath('Device.NAT.PortMapping.1.Interface+.Reset()')).toMatchObject({ kind: 'command', leaf: 'Reset()' });
    expect(parsePath('Device.X.1.Ref+.Fired!')).toMatchObject({ kind: 'event', leaf: 'Fired!' });
    expect(parsePath('Device.NAT.PortMapping.1.Interface+.')).toMatchObject({ kind: 'object' });
  });

  it('follows references inside search terms', () => {
    const p = parsePath('Device.WiFi.AccessPoint.[SSIDReference+.SSID=="MyHome"].AssociatedDevice.[OperatingStandard=="ac"].SignalStrength');
    expect(searchOf(p, 3).terms[0]).toEqual({
      path: [{ kind: 'name', name: 'SSIDReference', ref: { index: 1 } }, name('SSID')],
      op: '==',
      value: 'MyHome',
      quoted: true,
    });
    const q = searchOf(parsePath('Device.IP.Interface.[LowerLayers#*+.Stats.BytesSent>=100].'), 3);
    expect(q.terms[0]!.path).toEqual([{ kind: 'name', name: 'LowerLayers', ref: { index: '*' } }, name('Stats'), name('BytesSent')]);
  });
});

describe('parsePath: supported mode', () => {
  it('accepts {i} placeholders', () => {
    const p = parsePath('Device.LocalAgent.Controller.{i}.MTP.{i}.', { mode: 'supported' });
    expect(p.segments).toEqual([name('Device'), name('LocalAgent'), name('Controller'), { kind: 'placeholder' }, name('MTP'), { kind: 'placeholder' }]);
    expect(p.isSearch).toBe(false);
    expect(parsePath('Device.LocalAgent.Controller.{i}.SendOnBoardRequest()', { mode: 'supported' })).toMatchObject({
      kind: 'command',
      leaf: 'SendOnBoardRequest()',
    });
  });

  it('accepts instance numbers and mixes them with {i}', () => {
    const p = parsePath('Device.WiFi.AccessPoint.1.AssociatedDevice.{i}.MACAddress', { mode: 'supported' });
    expect(p.segments.map((s) => s.kind)).toEqual(['name', 'name', 'name', 'instance', 'name', 'placeholder']);
    expect(p.leaf).toBe('MACAddress');
  });

  it('accepts a table path without a trailing {i}', () => {
    expect(parsePath('Device.LocalAgent.Controller.', { mode: 'supported' }).kind).toBe('object');
  });

  it.each(['Device.X.*.', 'Device.X.[A==1].', 'Device.X.1.Ref+.Name', 'Device.X.{j}.', 'Device.X.{i.', 'Device.X.{}.', 'Device.X.{i}', 'Device.{i}.', 'Device.X.{i}.{i}.'])('rejects %s', (text) => {
    expect7008(text, 'supported');
  });

  it('rejects {i} in instantiated mode (the default)', () => {
    expect7008('Device.LocalAgent.Controller.{i}.');
    const err = expect7008('Device.IP.Interface.{Name=="eth0"}.');
    expect(err.message).toMatch(/\[\.\.\.\]/);
  });
});

describe('parsePath: invalid paths give 7008 with the path attached', () => {
  const invalid: string[] = [
    '',
    'Device',
    'device.',
    'Devices.IP.',
    'Other.IP.',
    '.Device.',
    ' Device.IP.',
    'Device.IP. ',
    'Device..',
    'Device.IP..Interface.',
    'Device.IP.Interface..',
    'Device.1.',
    'Device.*.',
    'Device.IP.Interface.0.',
    'Device.IP.Interface.01.',
    'Device.IP.Interface.-1.',
    'Device.IP.Interface.+1.',
    'Device.IP.Interface.4294967296.',
    'Device.IP.Interface.1',
    'Device.IP.Interface.*',
    'Device.IP.Interface.[Name=="eth0"]',
    'Device.IP.Interface.1.2.',
    'Device.IP.Interface.1*.',
    'Device.IP.Interface.**.',
    'Device.IP.Interface.1a.',
    'Device.IP.1Interface.',
    'Device.IP.-Interface.',
    'Device.IP.Inter face.',
    'Device.IP.Interf@ce.',
    'Device.IP.Ïnterface.',
    'Device.IP.Interface.[].',
    'Device.IP.Interface.[ ].',
    'Device.IP.Interface.[Name=="eth0".',
    'Device.IP.Interface.[Name=="eth0"',
    'Device.IP.Interface.Name=="eth0"].',
    'Device.IP.Interface.[[Name=="eth0"]].',
    'Device.IP.Interface.[Name=="eth0"]].',
    'Device.IP.Interface.{Name=="eth0"}.',
    'Device.IP.Interface.[Name==].',
    'Device.IP.Interface.[Name=="eth0"&&].',
    'Device.IP.Interface.[&&Name=="eth0"].',
    'Device.IP.Interface.[Name=="eth0"&Type=="x"].',
    'Device.IP.Interface.[Name=="eth0"||Type=="x"].',
    'Device.IP.Interface.[Name=="eth0",Type=="x"].',
    'Device.IP.Interface.[Name="eth0"].',
    'Device.IP.Interface.[Name==="eth0"].',
    'Device.IP.Interface.[Name=<"eth0"].',
    'Device.IP.Interface.[Name<>"eth0"].',
    'Device.IP.Interface.[Name"eth0"].',
    'Device.IP.Interface.[=="eth0"].',
    'Device.IP.Interface.[Name=="eth"0"].',
    'Device.IP.Interface.[Name=="eth0].',
    'Device.IP.Interface.[Name==eth0].',
    'Device.IP.Interface.[Enable==True].',
    'Device.IP.Interface.[Enable==truex].',
    'Device.IP.Interface.[X==1.].',
    'Device.IP.Interface.[X==.5].',
    'Device.IP.Interface.[X==-].',
    'Device.IP.Interface.[X==1.2.3].',
    'Device.IP.Interface.[X==1e3].',
    'Device.IP.Interface.[X==+1].',
    'Device.IP.Interface.[X=="a" "b"].',
    'Device.IP.Interface.[IPv4Address.*.Status=="Enabled"].',
    'Device.IP.Interface.[IPv4Address.1.Status=="Enabled"].',
    'Device.IP.Interface.[Stats..X==1].',
    'Device.IP.Interface.[Stats.==1].',
    'Device.IP.Interface.[Stats .X==1].',
    'Device.IP.Interface.[Ref+==1].',
    'Device.IP.Interface.[Ref+X==1].',
    'Device.IP.Interface.[X==1]X.',
    'Device.NAT.PortMapping.1.Interface+',
    'Device.NAT.PortMapping.1.Interface+Name',
    'Device.NAT.PortMapping.1.Interface++.Name',
    'Device.NAT.PortMapping.1.Interface#.Name',
    'Device.NAT.PortMapping.1.Interface#+.Name',
    'Device.NAT.PortMapping.1.Interface#0+.Name',
    'Device.NAT.PortMapping.1.Interface#01+.Name',
    'Device.NAT.PortMapping.1.Interface#2.Name',
    'Device.NAT.PortMapping.1.Interface#**+.Name',
    'Device.NAT.PortMapping.1.Interface+.1.',
    'Device.NAT.PortMapping.1.Interface+.*.Name',
    'Device.Reboot(',
    'Device.Reboot)',
    'Device.Reboot(x)',
    'Device.Reboot().',
    'Device.Reboot()x',
    'Device.Reboot( )',
    'Device.Boot!.',
    'Device.Boot!!',
    'Device.Boot!x',
    'Device.()',
    'Device.!',
    'Device.X.1.()',
    'Device.X.*!',
    'Device.X/Y.',
    'Device.X.Y,Z',
    'Device.X.\u0000.',
  ];

  it('has a table of at least 25 invalid paths', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(25);
  });

  it.each(invalid)('rejects %j', (text) => {
    const err = expect7008(text);
    expect(err.message).toMatch(/^invalid path syntax at offset \d+: /);
  });
});

describe('formatPath', () => {
  it.each([
    'Device.',
    'Device.LocalAgent.Controller.1.EndpointID',
    'Device.IP.Interface.*.IPv4Address.*.',
    'Device.Reboot()',
    'Device.LocalAgent.Threshold.2.Triggered!',
    'Device.NAT.PortMapping.[RemoteHost==""&&ExternalPort==0&&Protocol=="TCP"].Enable',
    'Device.IP.Interface.1.LowerLayers#*+.LowerLayers#3+.Name',
    'Device.WiFi.AccessPoint.[SSIDReference+.SSID=="My%22Home%25"].AssociatedDevice.[SignalStrength>=-70].',
  ])('gives back canonical text %s', (text) => {
    expect(formatPath(parsePath(text))).toBe(text);
  });

  it('canonicalises whitespace, #1+ and escapes', () => {
    // A lone '%' is kept literally when parsing, so it is written back as %25.
    expect(formatPath(parsePath('Device.X.[ A == "%22%25%41" && B.C#1+.D ~= "x" ].Ref#1+.Y'))).toBe('Device.X.[A=="%22%25%2541"&&B.C+.D~="x"].Ref+.Y');
  });

  it('formats supported-model paths', () => {
    const text = 'Device.LocalAgent.Controller.{i}.MTP.2.Enable';
    expect(formatPath(parsePath(text, { mode: 'supported' }))).toBe(text);
  });
});

describe('parsePath: random mutations', () => {
  const seeds: [string, PathMode][] = [
    ['Device.IP.Interface.[Name=="eth0"&&Stats.ErrorsSent>0].IPv4Address.*.IPAddress', 'instantiated'],
    ['Device.NAT.PortMapping.[RemoteHost==""&&ExternalPort==0&&Protocol=="TCP"].Enable', 'instantiated'],
    ['Device.WiFi.AccessPoint.[SSIDReference+.SSID=="My%22Home"].AssociatedDevice.[OperatingStandard=="ac"].SignalStrength', 'instantiated'],
    ['Device.IP.Interface.1.LowerLayers#*+.Name', 'instantiated'],
    ['Device.NAT.PortMapping.12.Interface#2+.Reset()', 'instantiated'],
    ['Device.LocalAgent.Threshold.*.Triggered!', 'instantiated'],
    ['Device.X.[ A <= -3.5 && B ~= "x" && C != true ].', 'instantiated'],
    ['Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.Port', 'supported'],
    ['Device.WiFi.AccessPoint.1.AssociatedDevice.{i}.', 'supported'],
  ];
  const alphabet = 'Device.IP[]{}()"%22%25&&==!=<>~+#*-_ \t019aZ!,\'\\/é';

  function mutate(s: string, r: () => number): string {
    const ops = 1 + Math.floor(r() * 3);
    for (let k = 0; k < ops; k++) {
      const i = Math.floor(r() * (s.length + 1));
      const ch = alphabet[Math.floor(r() * alphabet.length)]!;
      switch (Math.floor(r() * 5)) {
        case 0:
          s = s.slice(0, i) + ch + s.slice(i);
          break; // insert
        case 1:
          s = s.slice(0, i) + s.slice(i + 1);
          break; // delete
        case 2:
          s = s.slice(0, i) + ch + s.slice(i + 1);
          break; // replace
        case 3: {
          // duplicate a slice
          const j = Math.floor(r() * (s.length + 1));
          s = s.slice(0, i) + s.slice(Math.min(i, j), Math.max(i, j)) + s.slice(i);
          break;
        }
        default:
          s = s.slice(0, i); // truncate
      }
    }
    return s;
  }

  it('either parses (and round-trips through formatPath) or throws UspError 7008', () => {
    const r = mulberry32(0x5eed1369);
    let parsed = 0;
    let rejected = 0;
    for (let n = 0; n < 5000; n++) {
      const [base, mode] = seeds[n % seeds.length]!;
      const text = mutate(base, r);
      let p: ParsedPath;
      try {
        p = parsePath(text, { mode });
      } catch (e) {
        if (!(e instanceof UspError) || e.code !== ErrorCode.InvalidPathSyntax || e.path !== text) {
          throw new Error(`unexpected failure for ${JSON.stringify(text)} (${mode}): ${String(e)}`);
        }
        rejected++;
        continue;
      }
      parsed++;
      const again = parsePath(formatPath(p), { mode });
      expect(again.segments, JSON.stringify(text)).toEqual(p.segments);
      expect(again.kind).toBe(p.kind);
      expect(again.leaf).toBe(p.leaf);
      expect(again.isSearch).toBe(p.isSearch);
    }
    // Both outcomes must be exercised for the loop to mean anything.
    expect(parsed).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});

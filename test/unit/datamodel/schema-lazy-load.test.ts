/**
 * Schema.load() indexes the generated file's lines and parses an object only when asked for
 * (datamodel/schema/schema-lines.ts); the DataModel asks only for the definitions it uses. What
 * must hold: the lazily read schema is the file's content exactly, other JSON layouts still load,
 * and a damaged line names the file and the object.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Schema } from '../../../datamodel/schema/Schema.js';
import type { SchemaFile, SchemaObject } from '../../../datamodel/schema/types.js';
import { DataModel } from '../../../datamodel/tree/DataModel.js';

const committedFile = fileURLToPath(new URL('../../../datamodel/schema/tr181-schema.json', import.meta.url));
const committed = JSON.parse(fs.readFileSync(committedFile, 'utf8')) as SchemaFile;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-lazy-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes `text` as a schema file in the test directory. */
function schemaFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('Schema.load of the generated one-object-per-line file', () => {
  it('reads every object exactly as a whole-file JSON.parse does, in document order', () => {
    const schema = Schema.load();
    expect(schema.model).toBe(committed.model);
    expect(schema.paths()).toEqual(committed.objects.map((o) => o.path));
    expect(schema.objects()).toEqual(committed.objects);
  });

  it('answers lookups before and without parsing the rest', () => {
    const schema = Schema.load();
    expect(schema.getParam('Device.LocalAgent.', 'EndpointID')?.access).toBe('readOnly');
    expect(schema.children('Device.LocalAgent.').map((o) => o.path)).toEqual(committed.objects.filter((o) => /^Device\.LocalAgent\.[^.]+\.(\{i\}\.)?$/.test(o.path)).map((o) => o.path));
    expect(schema.getObject('Device.NoSuchObject.')).toBeUndefined();
  });

  it('loads the same schema from another JSON layout (pretty-printed), parsed whole', () => {
    const file = schemaFile('pretty.json', JSON.stringify(committed, null, 2));
    const schema = Schema.load(file);
    expect(schema.paths()).toEqual(committed.objects.map((o) => o.path));
    expect(schema.objects()).toEqual(committed.objects);
  });

  it('names the file and the object when a line does not hold its definition', () => {
    const lines = fs.readFileSync(committedFile, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('{"path":"Device.LocalAgent.",'));
    lines[i] = `${lines[i]!.slice(0, 40)}},`;
    const file = schemaFile('damaged.json', lines.join('\n'));
    const schema = Schema.load(file);
    expect(schema.getObject('Device.')?.path).toBe('Device.');
    expect(() => schema.getObject('Device.LocalAgent.')).toThrow(`${file}: the definition of Device.LocalAgent. is not valid JSON`);
  });
});

describe('DataModel over a schema', () => {
  it("asks for no definition to build its nodes, and for a node's own when it is served", () => {
    const schema = Schema.load();
    const asked: string[] = [];
    const model = new DataModel({
      paths: () => schema.paths(),
      getObject: (p: string): SchemaObject | undefined => {
        asked.push(p);
        return schema.getObject(p);
      },
    });
    expect(asked).toEqual([]);
    expect(model.node('Device.LocalAgent.Controller.{i}.')?.multi).toBe(true);
    expect(asked).toEqual([]);
    model.register('Device.LocalAgent.', { params: ['EndpointID'], get: async () => ({ EndpointID: 'proto::x' }) });
    expect(asked).toContain('Device.LocalAgent.');
    expect(asked).not.toContain('Device.WiFi.');
  });
});

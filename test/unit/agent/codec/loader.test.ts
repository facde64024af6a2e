import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildUspTypes, defaultProtoDir, uspTypes } from '../../../../agent/codec/loader.js';

describe('loader', () => {
  it('finds the .proto files next to the sources', () => {
    expect(defaultProtoDir()).toBe(fileURLToPath(new URL('../../../../agent/codec/proto/', import.meta.url)));
  });

  it('builds Record and Msg from an explicit directory, with or without a trailing slash', () => {
    const dir = defaultProtoDir().replace(/\/$/, '');
    const types = buildUspTypes(dir);
    expect(types.Record.fullName).toBe('.usp_record.Record');
    expect(types.Msg.fullName).toBe('.usp.Msg');
    expect(types.Msg.fields['header']?.type).toBe('Header');
  });

  it('shares one set of types per process', () => {
    expect(uspTypes()).toBe(uspTypes());
  });

  it('fails clearly when the files are missing', () => {
    expect(() => buildUspTypes('/nonexistent/dir')).toThrow(/ENOENT/);
  });
});

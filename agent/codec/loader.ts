/**
 * Builds the protobufjs types for the USP Record and Msg (TR-369 §"Encoding", USP 1.4) from the
 * project's own .proto files.
 *
 * Why reflection and not pbjs static code: protobufjs generates the same specialised encode/decode
 * functions at run time (Type.setup), so steady-state speed is the same (measured within ~10% either
 * way on a 50-parameter GetResp and a Get). Start-up costs ~30-40 ms more (full protobufjs with its
 * parser, parsing, first-use code generation: ready 110-130 ms after process start against ~85 ms),
 * well inside the 300 ms budget, and there is no generated code to keep in step with the .proto
 * files and no build-time pbjs dependency. Numbers: `bench/codec.ts` (Node 20).
 *
 * The .proto files are read once, synchronously, because the codec is needed before the agent can
 * answer anything and the files are tiny.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { packageFile } from '../../datamodel/package-root.js';

/** File names inside the proto directory. */
export const PROTO_FILES = ['usp-record.proto', 'usp-msg.proto'] as const;

/** The reflected USP types the codec works with. Immutable once built. */
export interface UspTypes {
  readonly root: protobuf.Root;
  readonly Record: protobuf.Type;
  readonly Msg: protobuf.Type;
}

/**
 * Directory that holds the .proto files. From source (vitest) they sit next to this module; the
 * compiled module runs from dist/agent/codec/ while the files stay in agent/codec/proto/ (and are
 * shipped there, see package.json "files").
 */
export function defaultProtoDir(): string {
  const dir = fileURLToPath(packageFile('agent/codec/proto/'));
  if (!existsSync(dir + PROTO_FILES[0])) throw new Error(`USP .proto files not found in ${dir}`);
  return dir;
}

/** Parses the .proto files in `dir` into a fresh Root and resolves every type reference. */
export function buildUspTypes(dir: string = defaultProtoDir()): UspTypes {
  const root = new protobuf.Root();
  for (const file of PROTO_FILES) {
    const text = readFileSync(dir.endsWith('/') ? dir + file : `${dir}/${file}`, 'utf8');
    // keepCase false: fields become camelCase (toId, reqPathResults), the shape types.ts describes.
    protobuf.parse(text, root, { keepCase: false });
  }
  root.resolveAll();
  return { root, Record: root.lookupType('usp_record.Record'), Msg: root.lookupType('usp.Msg') };
}

let shared: UspTypes | undefined;

/**
 * The process-wide USP types, built on first use. Sharing is safe because the types are immutable
 * schema; it also lets protobufjs keep its generated encoders warm.
 */
export function uspTypes(): UspTypes {
  shared ??= buildUspTypes();
  return shared;
}

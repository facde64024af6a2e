/** The USP protobuf codec: Records (record.ts), Messages (msg.ts) and their typed shapes (types.ts). */
export * from './types.js';
export * from './errors.js';
export * from './record.js';
export * from './msg.js';
export { buildUspTypes, defaultProtoDir, uspTypes, type UspTypes } from './loader.js';

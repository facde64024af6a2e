/**
 * The first sentence of each TR-181 item's description (datamodel/schema/tr181-descriptions.json,
 * written by `npm run gen:schema`), for `usp-agent schema PATH` only. The running agent never
 * reads it: at about 1.2 MB it would cost a router memory for text no USP message carries.
 */
import fs from 'node:fs';
import { packageFile } from '../../datamodel/package-root.js';

/** Where the package keeps the file (beside tr181-schema.json). */
export const DESCRIPTIONS_FILE = 'datamodel/schema/tr181-descriptions.json';

/** Path → first sentence, or undefined when the package does not ship the file. */
export type Descriptions = ReadonlyMap<string, string> | undefined;

/**
 * Reads the descriptions file, or undefined when it is absent (a package may leave it out to
 * save space; the schema command then says so instead of failing).
 */
export function readDescriptions(location: string | URL = packageFile(DESCRIPTIONS_FILE)): Descriptions {
  if (!fs.existsSync(location)) return undefined;
  const file = JSON.parse(fs.readFileSync(location, 'utf8')) as { descriptions?: Record<string, string> };
  if (file.descriptions === null || typeof file.descriptions !== 'object') {
    throw new Error(`${String(location)}: not a generated TR-181 descriptions file; run npm run gen:schema`);
  }
  return new Map(Object.entries(file.descriptions));
}

/** The text the `description` row shows for a supported path. */
export function descriptionText(descriptions: Descriptions, path: string): string {
  if (descriptions === undefined) return `not installed (this package leaves out ${DESCRIPTIONS_FILE})`;
  return descriptions.get(path) ?? 'none (TR-181 gives none)';
}

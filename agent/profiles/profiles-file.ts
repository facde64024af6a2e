/**
 * The generated TR-181 profiles (datamodel/schema/tr181-profiles.json, `npm run gen:schema`),
 * read on first use only: by `usp-agent profiles` and by the X_<VENDOR>_Profiles parameter when
 * a Controller reads it. The agent's start never reads it (about 330 KB of JSON a router would
 * parse for nothing); test/integration/profiles-param.test.ts holds it to that.
 */
import fs from 'node:fs';
import { packageFile } from '../../datamodel/package-root.js';
import type { ProfilesFile } from '../../datamodel/schema/profile-types.js';

/** Where the package keeps the file (beside tr181-schema.json). */
export const PROFILES_FILE = 'datamodel/schema/tr181-profiles.json';

let loaded: ProfilesFile | undefined;

/**
 * The profiles, read and parsed once per process. A package built without the file (it is
 * optional for the agent) gets an error that names it and the command that makes it.
 */
export function loadProfiles(): ProfilesFile {
  if (loaded !== undefined) return loaded;
  const location = packageFile(PROFILES_FILE);
  if (!fs.existsSync(location)) throw new Error(`${PROFILES_FILE} is not installed with this package; it is made by npm run gen:schema`);
  const file = JSON.parse(fs.readFileSync(location, 'utf8')) as ProfilesFile;
  if (!Array.isArray(file.profiles)) throw new Error(`${PROFILES_FILE}: not a generated TR-181 profiles file; run npm run gen:schema`);
  return (loaded = file);
}

/** Whether this process has read the file (the start-path test checks it has not). */
export function profilesLoaded(): boolean {
  return loaded !== undefined;
}

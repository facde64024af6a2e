/**
 * What `usp-agent` runs: the command line of agent/cli/main.ts. Kept apart from main.ts, which
 * only defines it, because the bundle (tools/bundle.mjs) is a CommonJS script, where a top-level
 * await is not allowed; a rejection is unhandled and ends the process with code 1, as a rejected
 * top-level await did.
 */
import { main } from './main.js';

// What yargs' hideBin() gives for `node script …` (and for the bundled launcher).
void main(process.argv.slice(2));

/** For bin/code-cache.js, which writes the V8 code cache of the bundle crash-safely with it. */
export { writeFileAtomicSync } from '../../datamodel/store/atomic-write.js';

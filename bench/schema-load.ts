/**
 * What loading the generated TR-181 schema costs (Schema.load(): read
 * datamodel/schema/tr181-schema.json and index its lines; each object is parsed when first used,
 * which this figure leaves out), the first step of every start. The schema unit test checks what
 * the file holds; its load time is measured here, not asserted in a test.
 *
 * The cold figure is the first load in a fresh Node process (what a start pays: no warm JIT,
 * the file perhaps in the page cache); the warm figure repeats it in this process.
 *
 *   node dist/bench/schema-load.js
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Schema } from '../datamodel/schema/Schema.js';
import { figure, type Figure } from './figure.js';
import { timeCalls } from './in-process.js';
import { median, round } from './stats.js';

/** The start-up budget the whole agent is held to (bench/run.ts startup.agentMedian): the schema must fit well inside it. */
const START_BUDGET_MS = 300;

export interface SchemaLoadCost {
  objects: number;
  coldFirstLoad: Figure;
  warmLoad: Figure;
}

export async function measureSchemaLoad(processes = 5, budgetMs = 1000): Promise<SchemaLoadCost> {
  const schemaModule = new URL('../datamodel/schema/Schema.js', import.meta.url).href;
  const script = `const t=performance.now();const {Schema}=await import(${JSON.stringify(schemaModule)});const i=performance.now();Schema.load();process.stdout.write(String(performance.now()-i)+' '+String(i-t));`;
  const cold: number[] = [];
  for (let i = 0; i < processes; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    cold.push(Number(out.split(' ')[0]));
  }
  const warm = await timeCalls(() => Schema.load(), budgetMs, 2, 10);
  return {
    objects: Schema.load().objects().length,
    coldFirstLoad: figure(
      round(median(cold), 2),
      'ms',
      { op: '<=', value: START_BUDGET_MS },
      `Schema.load() as the first call in a fresh node process (module import excluded; objects are parsed later, on first use), median of ${processes}; the budget is the whole agent's start-up target`,
    ),
    warmLoad: figure(round(median(warm), 2), 'ms', undefined, 'Schema.load() again in a warm process, median'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await measureSchemaLoad(), null, 2)}\n`);
}

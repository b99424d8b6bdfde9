// `npm run bench` runs every module's benchmark; `npm run bench -- <module>` runs one.
// Each benchmark prints raw figures, then `ratio <what>: <x>` lines (ours ÷ theirs, higher is better).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const modules = ['policy', 'pdp', 'audit', 'kms', 'masking', 'scanner'] as const;
const here = import.meta.dirname;
const asked = process.argv.slice(2);
const unknown = asked.filter((m) => !(modules as readonly string[]).includes(m));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from: ${modules.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of asked.length > 0 ? asked : modules) {
  const file = join(here, `${name}.bench.ts`);
  if (!existsSync(file)) {
    console.log(`== ${name}: no benchmark yet (bench/${name}.bench.ts)`);
    continue;
  }
  console.log(`== ${name}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', file], { stdio: 'inherit' });
  if (run.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);

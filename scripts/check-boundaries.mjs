#!/usr/bin/env node
// House rule (STYLE.md, "Layout"): a module imports another module only through its index.ts,
// and lib/ is shared by all. Tests may import their own module's internals, never another's.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const modules = new Set(['policy', 'pdp', 'kms', 'masking', 'audit', 'scanner', 'cli']);
const importPattern = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'node_modules' ? [] : walk(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });

const ownerOf = (path) => {
  const parts = relative(root, path).split(sep);
  if (parts[0] === 'test') return { area: 'test', module: parts[1] };
  return { area: parts[0], module: parts[0] };
};

const problems = [];
const areas = [...modules, 'lib', 'test', 'bench', 'examples'];
for (const file of areas.flatMap((a) => { try { return walk(join(root, a)); } catch { return []; } })) {
  const source = readFileSync(file, 'utf8');
  const from = ownerOf(file);
  for (const match of source.matchAll(importPattern)) {
    const spec = match[1] ?? match[2];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    const to = ownerOf(target);
    if (!modules.has(to.area)) continue;
    const isOwn = from.module === to.area && (from.area === to.area || from.area === 'test');
    const isEntry = relative(root, target).split(sep).length === 2 && /index\.(js|ts)$/.test(target);
    if (!isOwn && !isEntry) {
      const line = source.slice(0, match.index).split('\n').length;
      problems.push(`${relative(root, file)}:${line}: imports ${spec}, an internal file of module "${to.area}"; import ../${to.area}/index.js instead`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} module boundary violation(s)`);
  process.exit(1);
}

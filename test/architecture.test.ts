import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Every non-test module of src/ and the modules it imports (relative imports, types included). */
function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !/\.(test|fixture)\.ts$/.test(path)) files.push(path);
    }
  };
  walk(SRC);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/from\s+'(\.[^']+)'/g)].map((m) =>
      resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')),
    );
    graph.set(
      relative(SRC, file),
      deps.filter((d) => files.includes(d)).map((d) => relative(SRC, d)),
    );
  }
  return graph;
}

describe('the shape of the code', () => {
  const graph = importGraph();

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'open');
      stack.push(node);
      for (const dep of graph.get(node) ?? []) {
        if (state.get(dep) === 'open') cycles.push(stack.slice(stack.indexOf(dep)).join(' → '));
        else if (!state.has(dep)) visit(dep);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });

  it('only the composition root knows the channels (the rest speaks src/messaging)', () => {
    const composition = new Set(['deps.ts', 'main.ts', 'http/app.ts', 'roles.ts']);
    const offenders = [...graph.entries()]
      .filter(([file]) => !file.startsWith('channels/') && !composition.has(file))
      .filter(([, deps]) => deps.some((d) => d.startsWith('channels/')))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});

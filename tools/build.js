// Compiles apps/, libs/, migrations/, bench/ and test/ (its harness, for `npm run sim`; never the specs) to dist/ with SWC (about a second). Type checking
// is `npm run typecheck` (tsc --noEmit), which `npm test` runs first.
import { transformFile } from '@swc/core';
import fs from 'node:fs/promises';
import path from 'node:path';
import { rootDir, swcOptions } from './swc-options.js';

const sourceDirs = ['apps', 'libs', 'migrations', 'bench', 'test'];
const outDir = path.join(rootDir, 'dist');

async function* walk(dir) {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.name.endsWith('.ts') && !/\.(spec|e2e-spec|d)\.ts$/.test(entry.name)) yield full;
  }
}

const options = swcOptions();
const files = [];
for (const dir of sourceDirs) for await (const file of walk(path.join(rootDir, dir))) files.push(file);

// No wipe of dist/ first: parallel test runs and a running `npm start` read from it. Each file is
// replaced atomically (write + rename); `rm -rf dist` clears stale output when a source is deleted.
await Promise.all(
  files.map(async (file) => {
    const rel = path.relative(rootDir, file);
    const out = path.join(outDir, rel.replace(/\.ts$/, '.js'));
    const { code, map } = await transformFile(file, { ...options, filename: file, swcrc: false, configFile: false });
    await fs.mkdir(path.dirname(out), { recursive: true });
    if (map) await writeAtomically(`${out}.map`, map);
    await writeAtomically(out, map ? `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n` : code);
  }),
);
// Static assets (HTML templates) travel beside the compiled code.
for (const dir of sourceDirs) {
  for await (const asset of walkAssets(path.join(rootDir, dir))) {
    const out = path.join(outDir, path.relative(rootDir, asset));
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.copyFile(asset, out);
  }
}

async function writeAtomically(file, content) {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(tmp, content);
  await fs.rename(tmp, file);
}

async function* walkAssets(dir) {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walkAssets(full);
    else if (/\.(html|css|sql)$/.test(entry.name)) yield full;
  }
}

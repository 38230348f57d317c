// Golden-fixture generator: cd tools/golden && node generate.mjs [family ...]
// Each module in families/ exports `file` (the fixture name under tests/golden/), an optional
// `note` (comment lines for the fixture's header) and `async build(tf, lib)` returning cases
// already checked against an independent computation (lib.assertClose). With no arguments every
// family is regenerated, in alphabetical order. Run by hand; the output is committed.
import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as lib from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'tests', 'golden');

await tf.setBackend('cpu');
await tf.ready();
if (tf.getBackend() !== 'cpu') throw new Error(`backend ${tf.getBackend()}, expected cpu`);
if (tf.version.tfjs !== lib.TFJS_VERSION) throw new Error(`tfjs ${tf.version.tfjs}, expected ${lib.TFJS_VERSION}`);

const wanted = process.argv.slice(2).map((f) => f.replace(/^.*\//, '').replace(/\.mjs$/, ''));
const available = readdirSync(join(here, 'families')).filter((f) => f.endsWith('.mjs'))
  .map((f) => f.replace(/\.mjs$/, '')).sort();
const unknown = wanted.filter((f) => !available.includes(f));
if (unknown.length) throw new Error(`unknown family ${unknown.join(', ')}; available: ${available.join(', ')}`);
const families = wanted.length ? wanted : available;

for (const family of families) {
  const mod = await import(pathToFileURL(join(here, 'families', `${family}.mjs`)).href);
  if (typeof mod.file !== 'string' || !/^[A-Za-z0-9_.-]+\.txt$/.test(mod.file))
    throw new Error(`families/${family}.mjs must export file = '<name>.txt'`);
  if (typeof mod.build !== 'function') throw new Error(`families/${family}.mjs must export async build(tf, lib)`);
  const before = tf.memory().numTensors;
  const cases = await mod.build(tf, lib);
  lib.writeFixture(join(out, mod.file), cases, mod.note);
  const leaked = tf.memory().numTensors - before;
  console.log(`${family}: ${cases.length} cases -> tests/golden/${mod.file}` +
              (leaked > 1000 ? ` (${leaked} tfjs tensors not disposed)` : ''));
}

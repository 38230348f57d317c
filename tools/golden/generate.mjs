// Golden-fixture generator: node tools/golden/generate.mjs [family ...]
// Each module in families/ exports `file` (the fixture name under tests/golden/) and
// `async build(tf, lib)` returning cases already checked against an independent computation.
// With no arguments every family is regenerated. Run by hand; the output is committed.
import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as lib from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'tests', 'golden');

await tf.setBackend('cpu');
if (tf.version.tfjs !== lib.TFJS_VERSION) throw new Error(`tfjs ${tf.version.tfjs}, expected ${lib.TFJS_VERSION}`);

const wanted = process.argv.slice(2);
const families = readdirSync(join(here, 'families')).filter((f) => f.endsWith('.mjs'))
  .map((f) => f.replace(/\.mjs$/, ''))
  .filter((f) => wanted.length === 0 || wanted.includes(f));
if (wanted.length && families.length !== wanted.length) throw new Error(`unknown family among ${wanted}`);

for (const family of families) {
  const mod = await import(pathToFileURL(join(here, 'families', `${family}.mjs`)).href);
  const cases = await mod.build(tf, lib);
  lib.writeFixture(join(out, mod.file), cases, mod.note);
  console.log(`${family}: ${cases.length} cases -> tests/golden/${mod.file}`);
}

// npm run dashboards: writes dashboards/generated/<uid>.json and the provisioning files from the
// code, into dashboards/ or the directory given as the first argument.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFiles } from './render.js';

const outputDir = process.argv[2] ? resolve(process.argv[2]) : fileURLToPath(new URL('..', import.meta.url));

const files = renderFiles();
await mkdir(join(outputDir, 'generated'), { recursive: true });
// A dashboard removed from the code must leave Grafana too.
for (const name of await readdir(join(outputDir, 'generated'))) {
  if (name.endsWith('.json') && !files.has(`generated/${name}`)) await rm(join(outputDir, 'generated', name));
}
for (const [path, text] of files) {
  await mkdir(dirname(join(outputDir, path)), { recursive: true });
  await writeFile(join(outputDir, path), text);
  console.log(join(outputDir, path));
}

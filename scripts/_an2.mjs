import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const src = process.argv[2];
const r = await build({ stdin: { contents: src, resolveDir: '/work/main', loader: 'ts' }, bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent' });
const b = r.outputFiles[0].contents; console.log('min', b.length, 'gz', gzipSync(b, { level: 9 }).length);
if (process.argv[3]) { const out = Object.values(r.metafile.outputs)[0]; Object.entries(out.inputs).map(([k, v]) => [v.bytesInOutput, k]).sort((a, b) => b[0] - a[0]).slice(0, +process.argv[3]).forEach((x) => console.log(x.join(' '))); }

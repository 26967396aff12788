// Preloaded by scripts/device-pack.sh: lists, at exit, every file under node_modules this
// process loaded (require cache), so the device folder carries only those.
const fs = require('node:fs');
process.on('exit', () => {
  const files = Object.keys(require.cache).filter((f) => f.includes('/node_modules/'));
  fs.appendFileSync(process.env.TRACE_REQUIRES_OUT, files.join('\n') + '\n');
});

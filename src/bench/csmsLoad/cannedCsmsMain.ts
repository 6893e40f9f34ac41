// The canned CSMS as its own process: `node cannedCsmsMain.js [--port N]`; prints
// {"ready":true,"party":"canned-csms","ocppUrl":…,"pid":…} on stdout (the CLI contract's ready line) and runs until
// SIGINT/SIGTERM.
import { startCannedCsms } from './cannedCsms.js';

const i = process.argv.indexOf('--port');
const port = i >= 0 ? Number(process.argv[i + 1]) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('usage: cannedCsmsMain [--port 0-65535]\n');
  process.exit(2);
}
const csms = await startCannedCsms({ port });
process.stdout.write(`${JSON.stringify({ ready: true, party: 'canned-csms', ocppUrl: csms.url, pid: process.pid })}\n`);
await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await csms.close();

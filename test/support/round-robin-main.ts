// The round-robin balancer as a process of its own (test/multi-instance.e2e-spec.ts), so the requests it
// passes on are not delayed by the test's event loop: ROUND_ROBIN_UPSTREAMS (comma-separated URLs),
// ROUND_ROBIN_PORT (0: any free port). Prints `round-robin listening on <url>`; SIGTERM stops it.
import { SERVED_PATH, roundRobin } from './round-robin.js';

const upstreams = (process.env.ROUND_ROBIN_UPSTREAMS ?? '').split(',').filter(Boolean);
if (upstreams.length === 0) {
  process.stderr.write('round-robin: ROUND_ROBIN_UPSTREAMS must list at least one upstream URL\n');
  process.exit(1);
}
const balancer = await roundRobin(upstreams, { port: Number(process.env.ROUND_ROBIN_PORT ?? 0), servedPath: SERVED_PATH });
process.stdout.write(`round-robin listening on ${balancer.url}\n`);
process.on('SIGTERM', () => void balancer.close().then(() => process.exit(0)));

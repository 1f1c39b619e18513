// `npm start`: runs auth, pets and the gateway from their compiled output under concurrently
// (one prefixed log stream, Ctrl-C stops all three), and says where the gateway is once it answers.
import concurrently from 'concurrently';

const gatewayUrl = `http://127.0.0.1:${process.env.GATEWAY_PORT || 8080}`;
const env = { LOG_PRETTY: process.env.LOG_PRETTY ?? 'true' };

const { result, commands } = concurrently(
  [
    { name: 'auth', command: 'node services/auth/dist/main.js', prefixColor: 'blue', env },
    { name: 'pets', command: 'node services/pets/dist/main.js', prefixColor: 'green', env },
    { name: 'gateway', command: 'node gateway/dist/main.js', prefixColor: 'magenta', env },
  ],
  { killOthersOn: ['failure', 'success'], restartTries: 0, handleInput: false },
);

// Something else may already answer on the port (ours then fails with EADDRINUSE): announce only
// once our gateway has said it listens, and while all three of ours are still running.
let anyExited = false;
let gatewayListening = false;
for (const command of commands) command.close.subscribe(() => (anyExited = true));
commands[2].stdout.subscribe((chunk) => {
  if (String(chunk).includes('gateway listening')) gatewayListening = true;
});

async function announce() {
  for (let attempt = 0; attempt < 100 && !anyExited; attempt += 1) {
    const ready = await fetch(`${gatewayUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready && gatewayListening && !anyExited) {
      const { REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS } = process.env;
      const store = REDIS_URL
        ? `Redis at ${REDIS_URL.replace(/\/\/[^/@]*@/, '//')}`
        : REDIS_CLUSTER_NODES
          ? `Redis Cluster at ${REDIS_CLUSTER_NODES}`
          : REDIS_SENTINELS
            ? `Redis through Sentinel at ${REDIS_SENTINELS}`
            : 'in-memory stores (data is lost on exit)';
      console.log(
        `\n  ToyPetMe is up: ${gatewayUrl}  (${store})\n  Try: npm run demo -- ${gatewayUrl}\n  Ctrl-C stops everything.\n`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!anyExited) console.log(`\n  The gateway at ${gatewayUrl} is not ready yet; see the logs above.\n`);
}

announce();
result.then(
  () => process.exit(0),
  () => process.exit(1),
);

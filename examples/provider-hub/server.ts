/**
 * `npm run hub`: the Provider Hub on http://127.0.0.1:3000 (`PORT` to
 * change it; `HOST=0.0.0.0` to listen beyond this machine). SQLite in
 * `examples/provider-hub/.data/` by default; PostgreSQL with `DATABASE_URL`.
 */
import { startHub } from './hub.js';
import { STAND_IN_ACCEPTED_PREFIX, STAND_IN_RATE_LIMITED_PREFIX } from './stand-in-provider.js';

const hub = await startHub({ host: process.env.HOST ?? '127.0.0.1' });
console.log(`Provider Hub: ${hub.url}  (store: ${hub.storeLabel})`);
console.log(
  `OpenAI calls go to a local stand-in at ${hub.standIn.baseUrl}: it accepts keys starting with "${STAND_IN_ACCEPTED_PREFIX}",`,
);
console.log(`and rate-limits those starting with "${STAND_IN_RATE_LIMITED_PREFIX}" (a pool's cooldown shows).`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    hub.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

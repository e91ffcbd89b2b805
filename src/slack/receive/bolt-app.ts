import { createRequire, Module } from 'node:module';
import type { App } from '@slack/bolt';

/** Receivers Bolt's App.js loads at once but constructs only when it is given no receiver. */
const RECEIVERS = ['HTTPReceiver', 'SocketModeReceiver'];

/**
 * Bolt's App class, loaded without what the bot never runs. The package's index also loads the
 * Express and AWS Lambda receivers (express and more, about 4 MB). App.js itself loads the HTTP
 * and Socket Mode receivers (@slack/socket-mode, ws and a second copy of undici: about 200
 * modules, 5 MB), which it constructs only when it is given no receiver of its own, and the bot
 * always gives one. So while App.js loads, require's cache (which may be added to, per Node's
 * modules documentation) holds stand-ins that load the real receiver when one is constructed or
 * checked with `instanceof`: any use of App behaves as before, and the bot never loads them.
 */
export function loadBoltApp(): typeof App {
  const require = createRequire(import.meta.url);
  const appFile = require.resolve('@slack/bolt/dist/App.js');
  const placed: string[] = [];
  if (!require.cache[appFile]) {
    for (const name of RECEIVERS) {
      const file = require.resolve(`@slack/bolt/dist/receivers/${name}.js`);
      if (require.cache[file]) continue;
      const real = () => (require(file) as { default: new (...args: unknown[]) => object }).default;
      const standIn = new Module(file);
      standIn.filename = file;
      standIn.loaded = true;
      standIn.exports = {
        __esModule: true,
        default: class {
          constructor(...args: unknown[]) {
            // biome-ignore lint/correctness/noConstructorReturn: the stand-in yields the real receiver.
            return new (real())(...args);
          }
          static [Symbol.hasInstance](value: unknown) {
            return value instanceof real();
          }
        },
      };
      require.cache[file] = standIn;
      placed.push(file);
    }
  }
  try {
    return (require(appFile) as { default: typeof App }).default;
  } finally {
    // Anything that requires a receiver from now on gets the real module.
    for (const file of placed) delete require.cache[file];
  }
}

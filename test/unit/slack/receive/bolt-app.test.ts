import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { loadBoltApp } from '../../../../src/slack/receive/bolt-app.js';

// Each test file runs in a process of its own, so this one sees Bolt loaded the bot's way only.
const require = createRequire(import.meta.url);
const App = loadBoltApp();
const loaded = (part: string) => Object.keys(require.cache).some((f) => f.includes(part));
const receiverOf = (app: object) => (app as { receiver: unknown }).receiver;
const quiet = { token: 'xoxb-test', tokenVerificationEnabled: false, logLevel: 'error' as never };

test("Bolt's App loads without the receivers it is not asked for (no Socket Mode client, ws or undici)", () => {
  assert.equal(loaded('/@slack/socket-mode/'), false);
  assert.equal(loaded('/node_modules/ws/'), false);
  assert.equal(loaded('/node_modules/undici/'), false);
  assert.equal(loaded('/receivers/HTTPReceiver.js'), false);
});

test('an App without a receiver of its own still gets the real HTTP or Socket Mode receiver', () => {
  const { default: HTTPReceiver } = require('@slack/bolt/dist/receivers/HTTPReceiver.js');
  const { default: SocketModeReceiver } = require('@slack/bolt/dist/receivers/SocketModeReceiver.js');
  const http = new App({ ...quiet, signingSecret: 'secret' });
  assert.ok(receiverOf(http) instanceof HTTPReceiver);
  const socket = new App({ ...quiet, socketMode: true, appToken: 'xapp-test' });
  assert.ok(receiverOf(socket) instanceof SocketModeReceiver);
});

test("Socket Mode with a receiver given: App's own check still tells a Socket Mode receiver from another", () => {
  const { default: SocketModeReceiver } = require('@slack/bolt/dist/receivers/SocketModeReceiver.js');
  const receiver = new SocketModeReceiver({ appToken: 'xapp-test', logLevel: 'error' });
  assert.equal(receiverOf(new App({ ...quiet, socketMode: true, receiver })), receiver);
  const other = { init() {}, start: async () => {}, stop: async () => {} };
  assert.throws(() => new App({ ...quiet, socketMode: true, receiver: other }), /custom receiver/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feedbackBlock, readFeedback } from '../../../../src/slack/write/feedback.js';

const idOf = (ref: string, profile?: string) =>
  (feedbackBlock(ref, profile) as { block_id: string }).block_id;

test('the buttons carry the answer and its profile; a click reads both back', () => {
  assert.deepEqual(readFeedback(idOf('Ev01ABC', 'support'), 'down'), {
    ref: 'Ev01ABC',
    vote: 'down',
    profile: 'support',
  });
  assert.deepEqual(readFeedback(idOf('Ev01ABC'), 'up'), { ref: 'Ev01ABC', vote: 'up' }, 'no profile');
  assert.deepEqual(
    readFeedback('feedback:Ev01ABC', 'up'),
    { ref: 'Ev01ABC', vote: 'up' },
    'buttons posted before',
  );
  assert.deepEqual(readFeedback(idOf('a@b', 'eng'), 'up'), { ref: 'a@b', vote: 'up', profile: 'eng' });
  assert.equal(readFeedback('feedback:Ev01', 'maybe'), undefined, 'an unknown value');
  assert.equal(readFeedback('other:Ev01', 'up'), undefined, 'another block');
});

test('a long reference still fits Slack’s 255-character block id, the profile kept', () => {
  const id = idOf('x'.repeat(400), 'support');
  assert.equal(id.length, 255);
  assert.equal(readFeedback(id, 'up')?.profile, 'support');
});

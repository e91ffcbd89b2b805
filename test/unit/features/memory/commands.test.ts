import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findFact, parseMemoryCommand } from '../../../../src/features/memory/commands.js';
import { cleanFact } from '../../../../src/features/memory/facts.js';
import { addressedWords } from '../../../../src/slack/read/messages.js';

test('commands are recognised only where they open the words addressed to the bot', () => {
  const me = { botUserId: 'U0BOT' };
  assert.equal(addressedWords('<@U0BOT> remember that x', me, false), 'remember that x');
  assert.equal(addressedWords('<@U0BOT|claude>, stop', me, false), 'stop');
  assert.equal(addressedWords('please <@U0BOT> remember that x', me, false), undefined);
  assert.equal(addressedWords('remember that x', me, true), 'remember that x');
  assert.deepEqual(parseMemoryCommand('remember that the VPN is vpn.acme.io'), {
    kind: 'remember',
    fact: 'the VPN is vpn.acme.io',
  });
  assert.deepEqual(parseMemoryCommand('Remember: standup at 9'), { kind: 'remember', fact: 'standup at 9' });
  assert.equal(parseMemoryCommand('remember when we shipped v2?'), undefined, 'a question, not a command');
  for (const w of ['what do you remember?', 'What do you remember here', 'memories', 'list your memory'])
    assert.deepEqual(parseMemoryCommand(w), { kind: 'list' }, w);
  assert.deepEqual(parseMemoryCommand('forget 2'), { kind: 'forget', what: '2' });
  assert.deepEqual(parseMemoryCommand('forget that the VPN moved'), {
    kind: 'forget',
    what: 'the VPN moved',
  });
  assert.deepEqual(parseMemoryCommand('forget everything'), { kind: 'forgetAll' });
  assert.equal(parseMemoryCommand('what is the capital of France?'), undefined);
});

test('German and Japanese command words work where they cannot open a question, and say their language', () => {
  assert.deepEqual(parseMemoryCommand('Merke dir, dass der Release am Freitag ist'), {
    kind: 'remember',
    fact: 'der Release am Freitag ist',
    lang: 'de',
  });
  assert.deepEqual(parseMemoryCommand('merk dir: Standup um 9'), {
    kind: 'remember',
    fact: 'Standup um 9',
    lang: 'de',
  });
  assert.deepEqual(parseMemoryCommand('was hast du dir gemerkt?'), { kind: 'list', lang: 'de' });
  assert.deepEqual(parseMemoryCommand('vergiss 2'), { kind: 'forget', what: '2', lang: 'de' });
  assert.deepEqual(parseMemoryCommand('Vergiss alles'), { kind: 'forgetAll', lang: 'de' });
  assert.equal(parseMemoryCommand('Merke dir den Termin?'), undefined, 'no "dass", no colon: a question');
  assert.equal(parseMemoryCommand('vergiss nicht, mir zu sagen, wann es losgeht'), undefined);
  assert.equal(parseMemoryCommand('vergiss  nicht, dass wir morgen frei haben'), undefined, 'two spaces');
  assert.equal(parseMemoryCommand('was weißt du noch?'), undefined, 'a follow-up question');
  assert.deepEqual(parseMemoryCommand('vergiss, dass der Standup um 9 ist'), {
    kind: 'forget',
    what: 'der Standup um 9 ist',
    lang: 'de',
  });

  assert.deepEqual(parseMemoryCommand('覚えて：リリースは金曜日'), {
    kind: 'remember',
    fact: 'リリースは金曜日',
    lang: 'ja',
  });
  assert.deepEqual(parseMemoryCommand('何を覚えてる？'), { kind: 'list', lang: 'ja' });
  assert.deepEqual(parseMemoryCommand('忘れて 2'), { kind: 'forget', what: '2', lang: 'ja' });
  assert.deepEqual(parseMemoryCommand('2を忘れて'), { kind: 'forget', what: '2', lang: 'ja' });
  assert.deepEqual(parseMemoryCommand('全部忘れて'), { kind: 'forgetAll', lang: 'ja' });
  assert.equal(parseMemoryCommand('覚えていますか、先週の会議のこと'), undefined, 'a question');
  assert.equal(parseMemoryCommand('忘れてしまったパスワードはどう戻せますか？'), undefined, 'a question');
});

test('forget finds a fact by number, by its words, or asks which when several match', () => {
  const facts = [
    { text: 'VPN is vpn.acme.io' },
    { text: 'standup at 9' },
    { text: 'standup on Fridays at 10' },
  ];
  assert.deepEqual(findFact(facts, '#2'), { index: 1 });
  assert.equal(findFact(facts, '4'), undefined);
  assert.deepEqual(findFact(facts, 'vpn'), { index: 0 });
  assert.deepEqual(
    findFact(facts, 'Standup at 9.'),
    { index: 1 },
    'the exact words win over containing ones',
  );
  assert.deepEqual(findFact(facts, 'standup'), { many: [2, 3] });
  assert.equal(findFact(facts, 'lunch'), undefined);
});

test('forget by words: whole words only where words are spaced; "it", "es", "それ" name no fact', () => {
  const facts = [
    { text: 'Deploys happen on Tuesdays' },
    { text: 'Das Büro ist freitags zu' },
    { text: 'それは金曜日の会議' },
  ];
  assert.equal(findFact(facts, 'es'), undefined, '"vergiss es" is never mind');
  assert.equal(findFact(facts, 'it'), undefined);
  assert.equal(findFact(facts, 'das'), undefined);
  assert.equal(findFact(facts, 'それ'), undefined);
  assert.equal(findFact(facts, 'day'), undefined, 'not inside a word');
  assert.deepEqual(findFact(facts, 'tuesdays'), { index: 0 });
  assert.deepEqual(findFact(facts, 'büro'), { index: 1 });
  assert.deepEqual(findFact(facts, '金曜日の会議'), { index: 2 }, 'anywhere in Japanese');
});

test('a fact is kept plain: no pings, no invisible or control characters', () => {
  assert.equal(
    cleanFact('that  ops is @here\u200b\u202e and\n@channel'),
    'ops is @\u200Bhere and @\u200Bchannel',
  );
  assert.equal(cleanFact('a\u0000b\tc'), 'a b c');
});

test('forget: trailing punctuation is ignored; a text longer than any fact matches none', () => {
  const facts = [{ text: 'Deploys happen on Fridays.' }];
  assert.deepEqual(findFact(facts, 'deploys happen on fridays!!?'), { index: 0 });
  assert.equal(findFact(facts, `${'.'.repeat(40_000)}a`), undefined);
  assert.equal(findFact([{ text: 'a' }], `a${'!'.repeat(900)}`), undefined, 'longer than twice a fact');
});

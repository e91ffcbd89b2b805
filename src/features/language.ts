/**
 * The bot's own words (errors, notes, button labels) in the asker's Slack language, from one table.
 * Claude's answers follow the question's language by a system-prompt rule (claude/prompt.ts); this
 * is everything else the bot says. A language without a translation reads English.
 */
import type { AskFailure } from '../ask/types.js';

/** Languages the bot speaks besides English: the first part of a Slack locale (`de-DE` → `de`). */
export type Language = 'en' | 'de' | 'ja';

/** The kinds of failure said from the table (the others carry their own text). */
export type ErrorKind = Exclude<AskFailure['kind'], 'budget' | 'refused' | 'stopped'>;

export interface BotTexts {
  errors: Record<ErrorKind, string>;
  /** Under an error: the reference people quote to whoever runs the bot. */
  reference: string;
  /** After an answer that broke off once some text was shown. */
  interrupted: string;
  /** After an answer the person stopped. */
  stopped: string;
  /** Feedback buttons' accessibility labels. */
  goodAnswer: string;
  badAnswer: string;
  /** Under an answer cut at the length limit; `how` says how to get the rest. */
  lengthLimit: (how: string) => string;
  /** Under an answer cut after too many tool steps. */
  tooManySteps: (how: string) => string;
  /** How to ask for the rest: in a DM, and in a channel thread. */
  continueDm: string;
  continueThread: string;
  /** Under an answer Claude declined to finish. */
  declined: string;
  /** Under an answer that could not read the whole thread (the app's Slack history quota). */
  partialThread: string;
  /** The status while the question waits its turn. */
  queued: (ahead: number) => string;
}

const EN: BotTexts = {
  errors: {
    rate_limited:
      'Claude is getting more requests than this workspace’s plan allows right now. Please try again in a minute.',
    overloaded: 'Claude is overloaded at the moment. Please try again in a few minutes.',
    timeout: 'Claude took too long to answer. Please try again, or ask a shorter question.',
    invalid_request: 'Claude could not process this request. Try rephrasing it.',
    model_setting:
      'This channel’s model settings are not accepted by its model. Please tell whoever runs this bot.',
    too_long:
      'This conversation is too long for me to read at once. Start a new thread, or ask for a summary instead.',
    auth: 'I can’t reach Claude: the bot’s API key was rejected. Please tell whoever runs this bot.',
    unavailable: 'Claude is unavailable right now. Please try again in a few minutes.',
    interrupted: 'The answer was interrupted before it finished. Please ask again.',
    busy: 'I’m busy with other questions right now. Please try again in a minute.',
    internal: 'Something went wrong on my side. Please try again.',
    restarting: 'I’m restarting and could not finish this answer. Please ask again in a moment.',
  },
  reference: 'Reference',
  interrupted: '_…the answer was interrupted here. Please ask again for the rest._',
  stopped: '_(stopped)_',
  goodAnswer: 'Good answer',
  badAnswer: 'Bad answer',
  lengthLimit: (how) => `_…the answer reached the length limit here. ${how} for the rest._`,
  tooManySteps: (how) => `_…the answer was cut here: its searches took too many steps. ${how} to go on._`,
  continueDm: 'Reply “continue”',
  continueThread: 'Mention me with “continue” in this thread',
  declined: '_Claude declined to continue this answer._',
  partialThread:
    '_I could not read this whole thread (Slack limits how much history this app may read), so this answer may miss part of it._',
  queued: (ahead) => (ahead > 0 ? `is queued (${ahead} ahead of you)…` : 'is queued, next in line…'),
};

const DE: BotTexts = {
  errors: {
    rate_limited:
      'Claude bekommt gerade mehr Anfragen, als der Tarif dieses Workspaces erlaubt. Bitte versuche es in einer Minute noch einmal.',
    overloaded: 'Claude ist gerade überlastet. Bitte versuche es in ein paar Minuten noch einmal.',
    timeout:
      'Claude hat zu lange für die Antwort gebraucht. Bitte versuche es noch einmal oder stelle eine kürzere Frage.',
    invalid_request: 'Claude konnte diese Anfrage nicht verarbeiten. Versuche, sie anders zu formulieren.',
    model_setting:
      'Das Modell dieses Channels akzeptiert seine Einstellungen nicht. Bitte sag der Person Bescheid, die diesen Bot betreibt.',
    too_long:
      'Diese Unterhaltung ist zu lang, um sie auf einmal zu lesen. Beginne einen neuen Thread oder bitte stattdessen um eine Zusammenfassung.',
    auth: 'Ich erreiche Claude nicht: Der API-Schlüssel des Bots wurde abgelehnt. Bitte sag der Person Bescheid, die diesen Bot betreibt.',
    unavailable: 'Claude ist gerade nicht erreichbar. Bitte versuche es in ein paar Minuten noch einmal.',
    interrupted: 'Die Antwort wurde unterbrochen, bevor sie fertig war. Bitte frag noch einmal.',
    busy: 'Ich bin gerade mit anderen Fragen beschäftigt. Bitte versuche es in einer Minute noch einmal.',
    internal: 'Bei mir ist etwas schiefgegangen. Bitte versuche es noch einmal.',
    restarting:
      'Ich starte gerade neu und konnte diese Antwort nicht beenden. Bitte frag gleich noch einmal.',
  },
  reference: 'Referenz',
  interrupted: '_…die Antwort wurde hier unterbrochen. Bitte frag noch einmal nach dem Rest._',
  stopped: '_(angehalten)_',
  goodAnswer: 'Gute Antwort',
  badAnswer: 'Schlechte Antwort',
  lengthLimit: (how) => `_…die Antwort hat hier die Längengrenze erreicht. ${how}, um den Rest zu bekommen._`,
  tooManySteps: (how) =>
    `_…die Antwort wurde hier abgeschnitten: Ihre Suchen brauchten zu viele Schritte. ${how}, um weiterzumachen._`,
  continueDm: 'Antworte mit „weiter“',
  continueThread: 'Erwähne mich mit „weiter“ in diesem Thread',
  declined: '_Claude hat es abgelehnt, diese Antwort fortzusetzen._',
  partialThread:
    '_Ich konnte diesen Thread nicht ganz lesen (Slack begrenzt, wie viel Verlauf diese App lesen darf), daher fehlt dieser Antwort vielleicht ein Teil davon._',
  queued: (ahead) =>
    ahead > 0 ? `wartet in der Schlange (${ahead} vor dir)…` : 'wartet in der Schlange, als Nächstes dran…',
};

const JA: BotTexts = {
  errors: {
    rate_limited:
      'このワークスペースのプランで許可されている以上のリクエストが Claude に届いています。1 分ほどしてからもう一度お試しください。',
    overloaded: 'Claude は現在混み合っています。数分後にもう一度お試しください。',
    timeout: 'Claude の応答に時間がかかりすぎました。もう一度お試しいただくか、質問を短くしてください。',
    invalid_request: 'Claude はこのリクエストを処理できませんでした。言い換えてお試しください。',
    model_setting:
      'このチャンネルのモデル設定はそのモデルで受け付けられません。このボットの管理者に伝えてください。',
    too_long:
      'この会話は長すぎて一度に読めません。新しいスレッドを始めるか、代わりに要約を依頼してください。',
    auth: 'Claude に接続できません：ボットの API キーが拒否されました。このボットの管理者に伝えてください。',
    unavailable: 'Claude は現在利用できません。数分後にもう一度お試しください。',
    interrupted: '回答が途中で中断されました。もう一度質問してください。',
    busy: 'ほかの質問に対応中です。1 分ほどしてからもう一度お試しください。',
    internal: 'こちら側で問題が発生しました。もう一度お試しください。',
    restarting: '再起動中のため、この回答を完了できませんでした。少ししてからもう一度質問してください。',
  },
  reference: '参照番号',
  interrupted: '_…回答はここで中断されました。続きはもう一度質問してください。_',
  stopped: '_(停止しました)_',
  goodAnswer: '良い回答',
  badAnswer: '良くない回答',
  lengthLimit: (how) => `_…回答はここで長さの上限に達しました。続きは${how}。_`,
  tooManySteps: (how) => `_…検索の手順が多すぎたため、回答はここで途切れました。続けるには${how}。_`,
  continueDm: '「続けて」と返信してください',
  continueThread: 'このスレッドで「続けて」と私にメンションしてください',
  declined: '_Claude はこの回答の続行を辞退しました。_',
  partialThread:
    '_このスレッドをすべて読むことはできませんでした（Slack がこのアプリの読める履歴を制限しています）。そのため、この回答には一部が反映されていない可能性があります。_',
  queued: (ahead) => (ahead > 0 ? `順番待ちです（前に ${ahead} 件）…` : '順番待ちです、次の番です…'),
};

/** One table: every language's texts. */
export const TEXTS: Record<Language, BotTexts> = { en: EN, de: DE, ja: JA };

/** The bot's language for a Slack locale (`de-DE`, `ja-JP`); English when there is no translation. */
export function languageOf(locale: string | undefined): Language {
  const primary = locale?.slice(0, 2).toLowerCase();
  return primary === 'de' || primary === 'ja' ? primary : 'en';
}

/** The texts for a Slack locale. */
export function textsFor(locale: string | undefined): BotTexts {
  return TEXTS[languageOf(locale)];
}

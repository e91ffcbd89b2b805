import type { BotTexts, SearchOff, WindowUnit } from './bot-texts.js';

/** Japanese: the bot's own words (see language.ts), in the polite form of the existing entries. */

const num = (n: number) => n.toLocaleString('ja-JP');

const UNITS: Record<WindowUnit, string> = { m: '分', h: '時間', d: '日', w: '週間' };

const SEARCH_OFF: Record<SearchOff, string> = {
  no_scope:
    'このアプリには Slack を検索する権限がありません（`search:read` スコープがありません。管理者が manifest.yml から再インストールできます）',
  no_token:
    'あなたのメッセージに Slack の検索許可が付いていませんでした（このワークスペースのメンバー本人のメッセージにだけ付きます）',
  not_kept:
    'あなたのメッセージには再起動後に回答しました。質問の待機中は、メッセージに付いていた検索許可を保持しません',
  token_refused: 'あなたのメッセージの検索許可を Slack が受け付けなくなりました（有効なのは短い間だけです）',
  failed: 'Slack の検索が応答しませんでした',
};

export const JA: BotTexts = {
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
  memory: {
    remembered: (n, max) =>
      `:memo: 了解です。このチャンネルで覚えておきます（事実 ${n}／最大 ${max}）。一覧は「何を覚えてる？」、削除は「忘れて ${n}」と言ってください。`,
    already: (n) => `それはもう覚えています（事実 ${n}）。`,
    empty: '何を覚えればいいですか？「覚えて：…」と事実を書いて私にメンションしてください。',
    tooLong: (chars, max) =>
      `長すぎて覚えられません（${num(chars)} 文字、最大 ${max} 文字）。短くしてください。`,
    full: (max) =>
      `このチャンネルではすでに上限の ${max} 件を覚えています。「忘れて <番号>」で空きを作ってください（一覧は「何を覚えてる？」）。`,
    nothing: 'このチャンネルではまだ何も覚えていません。「覚えて：…」と私にメンションすると事実を覚えます。',
    forgotAll: (n) => `:wastebasket: このチャンネルの事実 ${n} 件をすべて忘れました。`,
    forgot: (fact) => `:wastebasket: 忘れました：「${fact}」`,
    notFound: 'そのようなことはここでは覚えていません。番号付きの一覧は「何を覚えてる？」で見られます。',
    which: (numbers) =>
      `複数の事実が当てはまります：${numbers.join(', ')}。「忘れて <番号>」で 1 件ずつ削除できます。`,
    off: 'このチャンネルではチャンネルメモリーがオフになっています。',
    notMember: 'ここで私が覚えていることを見たり変えたりできるのは、このチャンネルのメンバーだけです。',
    unverified:
      'あなたがこのチャンネルのメンバーかどうかを Slack で確認できなかったため、何も変更していません。あとでもう一度お試しください。',
    failed: ':warning: 今はメモリーにアクセスできません。少ししてからもう一度お試しください。',
    unavailable:
      ':warning: このチャンネルのメモリーを利用できません：保存先を読み込めませんでした。何も変更しておらず、保存されている事実も削除されていません。このボットの管理者に伝えてください（ログに原因が記録されています）。',
    listHead: (n, max) => `このチャンネルで覚えていること（${n} 件／最大 ${max} 件）：`,
    listFoot: '_「忘れて <番号>」で 1 件削除できます。_',
  },
  search: {
    sources: '出典',
    off: (why) =>
      `_この回答ではワークスペース検索がオフです：${SEARCH_OFF[why]}。このスレッドの内容から回答しました。_`,
    cut: (max) => `_この回答の検索上限（${max} 回）に達したため、検索を止めました。_`,
  },
  model: {
    answeredWith: (model) => `この質問のご指定どおり ${model} で回答しました。`,
    noChoice: (choice, current) =>
      `ここでは「${choice}」に切り替えられません：このチャンネルではモデルを選べません（${current} で回答します）。`,
    notAllowed: (choice, allowed, aliases) =>
      `ここでは「${choice}」は使えません。このチャンネルで選べるモデル：${allowed}${aliases ? `（ファミリー名でも可：${aliases}）` : ''}。「use <モデル>: 質問」と書いてください。`,
  },
  follow: {
    unfollowed: '了解です。このスレッドの返信にはもう答えません。また必要なときはメンションしてください。',
    stopped: '停止しました。',
    notFollowing: 'このスレッドではメンションされたときだけ答えています：止めるものはありません。',
  },
  feedback: {
    title: '何が問題でしたか？',
    submit: '送信',
    close: 'スキップ',
    reasonLabel: '回答は…',
    detailsLabel: '補足があればどうぞ（任意）',
    reasons: {
      wrong: '間違っている',
      outdated: '古い',
      incomplete: '不十分',
      harmful: '有害',
      other: 'その他',
    },
  },
  summaries: {
    lastUnits: (n, unit) => `過去 ${num(n)} ${UNITS[unit]}`,
    lastMessages: (n) => (n === 1 ? '最新のメッセージ' : `直近 ${num(n)} 件のメッセージ`),
    thisThread: 'このスレッド',
    thisConversation: 'この会話',
    inPlace: (what, place) => `${place} の${what}`,
    threadIn: (place) => `${place} のスレッド`,
    summarizing: (what) => `${what}を要約しています…`,
    title: (label) => `${label}の要約`,
    noMessages: (label) => `${label}には要約するメッセージがありません。`,
    queued: (ahead) =>
      `ほかの要約を作成中です。あなたの要約は${ahead === 0 ? '次に' : `あと ${num(ahead)} 件のあとに`}始まります…`,
    posted: '要約をチャンネルに投稿しました。',
    stopped: '停止しました：要約は作成されていません。',
    coverage: (c) =>
      `${num(c.people)} 人による ${num(c.messages)} 件のメッセージ、${
        c.threads === 0 ? 'スレッドなし' : `スレッド ${num(c.threads)} 件`
      }${c.from && c.to ? `、${c.from} から ${c.to} まで` : ''}。${
        c.cutAt
          ? `履歴は ${num(c.cutAt)} 件で打ち切られました：それより古いメッセージや返信は含まれていません。`
          : ''
      }`,
    files: (links, more) => `共有されたファイル：${links}${more ? ` ほか ${num(more)} 件` : ''}`,
    cut: '_…要約が 1 件のメッセージに収まらなかったため、ここで切れています。_',
    shareButton: 'チャンネルで共有',
    canvasButton: 'canvas として保存',
    stopButton: '停止',
    reading: '会話を読んでいます',
    read: (n) => `${num(n)} 件のメッセージを読みました`,
    summarizingPart: (part, total) => `パート ${num(part)}／${num(total)} を要約しています`,
    summarizedParts: (total) => `${num(total)} パートを要約しました`,
    writing: '要約を書いています',
    wrote: '要約を書きました',
    writingInThread: 'チャンネルのスレッドに要約を書いています',
    stoppedTask: '停止しました',
    unfinished: '完了できませんでした',
    publicParent: (title, requester) => `${title}（${requester} さんの依頼）。要約はスレッドにあります。`,
    publicFallback: (title, requester) => `${title}（${requester} さんの依頼）`,
    shareExpired:
      'この要約は期限切れです。新しい要約を共有するには `/summarize` をもう一度実行してください。',
    canvasExpired:
      'この要約は期限切れです。新しい要約を保存するには `/summarize` をもう一度実行してください。',
    shareNotOwner: 'この要約を共有できるのは、依頼した本人が元の会話の中でだけです。',
    canvasNotOwner: 'この要約を canvas として保存できるのは、依頼した本人だけです。',
    alreadyShared: 'この要約はすでにチャンネルで共有されています。',
    shared: 'チャンネルで共有しました。',
    alreadyCanvas: (link) => `すでに canvas として保存済みです：${link}`,
    canvasBusy: 'この要約はすでに canvas として保存中です。',
    savedCanvas: (link) =>
      `このチャンネルのタブに canvas として保存しました：${link}。チャンネルの全員が開けます。`,
    halfShared: (why) =>
      `要約のタイトルはチャンネルに投稿されましたが、その下に本文を追加できませんでした。${why} 新しい要約を共有するには \`/summarize\` をもう一度実行してください。`,
    foreignPrivate:
      'そのリンクはプライベートな会話を指しています。要約がメッセージと同じ場所に残るよう、その会話の中でリンクを付けて `/summarize` を実行してください。',
    notYours:
      'そのリンクはあなたがメンバーでない会話を指しているため、要約できません。参加してから、その会話で `/summarize` を実行してください。',
    uncheckedReader:
      'あなたがその会話を読めるかどうかを Slack で確認できなかったため、要約しませんでした。あとでもう一度お試しください。',
  },
};

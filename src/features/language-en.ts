import type { BotTexts, SearchOff, WindowUnit } from './bot-texts.js';

/** English: the bot's own words (see language.ts). */

const num = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

const UNITS: Record<WindowUnit, [string, string]> = {
  m: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  w: ['week', 'weeks'],
};

const SEARCH_OFF: Record<SearchOff, string> = {
  no_scope:
    'this app is not allowed to search Slack (it lacks the `search:read` scopes: an admin can reinstall it from manifest.yml)',
  no_token:
    'Slack gave no search permission with your message (it gives one only to people of this workspace, for their own messages)',
  not_kept:
    'your message was answered after a restart, and the search permission that came with it is not kept while a question waits',
  token_refused:
    'Slack no longer accepted the search permission of your message (it lasts only a short while)',
  failed: 'Slack’s search did not answer',
};

export const EN: BotTexts = {
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
  memory: {
    remembered: (n, max) =>
      `:memo: Got it: I’ll remember that in this channel (fact ${n} of at most ${max}). Say “what do you remember?” to see them, “forget ${n}” to remove it.`,
    already: (n) => `I already remember that (fact ${n}).`,
    empty: 'What should I remember? Mention me with “remember that …” and the fact.',
    tooLong: (chars, max) =>
      `That is too long to remember (${num(chars)} characters; at most ${max}). Please shorten it.`,
    full: (max) =>
      `I already remember ${max} facts in this channel, the most I keep. Say “forget <number>” to make room (“what do you remember?” lists them).`,
    nothing:
      'I don’t remember anything in this channel yet. Mention me with “remember that …” to teach me a fact.',
    forgotAll: (n) => `:wastebasket: Forgotten: all ${n} fact${n === 1 ? '' : 's'} of this channel.`,
    forgot: (fact) => `:wastebasket: Forgotten: “${fact}”`,
    notFound: 'I don’t remember anything like that here. Say “what do you remember?” for the numbered list.',
    which: (numbers) => `Several facts match: ${numbers.join(', ')}. Say “forget <number>” to remove one.`,
    off: 'Channel memory is turned off in this channel.',
    notMember: 'Only members of this channel can see or change what I remember here.',
    unverified:
      'I could not check with Slack that you are a member of this channel, so I left my memory as it was. Please try again later.',
    failed: ':warning: I could not reach my memory just now. Please try again in a moment.',
    unavailable:
      ':warning: My memory of this channel is unavailable: what I keep it in could not be read. I changed nothing, and the facts it holds are not deleted. Please tell whoever runs this bot (its log names the problem).',
    listHead: (n, max) => `What I remember in this channel (${n} of at most ${max}):`,
    listFoot: '_“forget <number>” removes one._',
  },
  search: {
    sources: 'Sources',
    off: (why) =>
      `_Workspace search is off for this answer: ${SEARCH_OFF[why]}. I answered from this thread._`,
    cut: (max) =>
      `_I stopped searching at this answer’s limit of ${max} ${max === 1 ? 'search' : 'searches'}._`,
  },
  model: {
    answeredWith: (model) => `Answered with ${model}, as asked for this question.`,
    noChoice: (choice, current) =>
      `I can’t switch to “${choice}” here: this channel does not offer a choice of model (I answer with ${current}).`,
    notAllowed: (choice, allowed, aliases) =>
      `I can’t use “${choice}” here. Models you can choose in this channel: ${allowed}${aliases ? ` (or by family: ${aliases})` : ''}. Say “use <model>: your question”.`,
  },
  follow: {
    unfollowed: 'OK, I’ll stop answering replies in this thread. Mention me when you want me again.',
    stopped: 'Stopped.',
    notFollowing: 'I answer in this thread only when mentioned: there is nothing to stop.',
  },
  feedback: {
    title: 'What went wrong?',
    submit: 'Send',
    close: 'Skip',
    reasonLabel: 'The answer was…',
    detailsLabel: 'Anything to add? (optional)',
    reasons: {
      wrong: 'Wrong',
      outdated: 'Outdated',
      incomplete: 'Incomplete',
      harmful: 'Harmful',
      other: 'Other',
    },
  },
  summaries: {
    lastUnits: (n, unit) => (n === 1 ? `the last ${UNITS[unit][0]}` : `the last ${num(n)} ${UNITS[unit][1]}`),
    lastMessages: (n) => (n === 1 ? 'the last message' : `the last ${num(n)} messages`),
    thisThread: 'this thread',
    thisConversation: 'this conversation',
    inPlace: (what, place) => `${what} in ${place}`,
    threadIn: (place) => `a thread in ${place}`,
    summarizing: (what) => `Summarizing ${what}…`,
    title: (label) => `Summary of ${label}`,
    noMessages: (label) => `There are no messages to summarize in ${label}.`,
    queued: (ahead) =>
      `Other summaries are being written; yours starts ${ahead === 0 ? 'next' : `after ${num(ahead)} more`}…`,
    posted: 'Posted the summary in the channel.',
    stopped: 'Stopped: no summary was written.',
    coverage: (c) =>
      `${plural(c.messages, 'message')} from ${plural(c.people, 'person', 'people')}, ${
        c.threads === 0 ? 'no threads' : plural(c.threads, 'thread')
      }${c.from && c.to ? `, from ${c.from} to ${c.to}` : ''}.${
        c.cutAt
          ? ` History was cut at ${plural(c.cutAt, 'message')}: older messages or replies are not included.`
          : ''
      }`,
    files: (links, more) => `Files shared: ${links}${more ? ` and ${num(more)} more` : ''}`,
    cut: '_…the summary was too long for one message and was cut here._',
    shareButton: 'Share in channel',
    canvasButton: 'Save as canvas',
    stopButton: 'Stop',
    reading: 'Reading the conversation',
    read: (n) => `Read ${plural(n, 'message')}`,
    summarizingPart: (part, total) => `Summarizing part ${num(part)} of ${num(total)}`,
    summarizedParts: (total) => `Summarized ${num(total)} parts`,
    writing: 'Writing the summary',
    wrote: 'Wrote the summary',
    writingInThread: 'Writing the summary in its thread in the channel',
    stoppedTask: 'Stopped',
    unfinished: 'Could not be finished',
    publicParent: (title, requester) => `${title}, asked for by ${requester}. The summary is in the thread.`,
    publicFallback: (title, requester) => `${title}, asked for by ${requester}`,
    shareExpired: 'This summary has expired. Run `/summarize` again to share a new one.',
    canvasExpired: 'This summary has expired. Run `/summarize` again to save a new one.',
    shareNotOwner: 'Only the person who asked for this summary can share it, in its own conversation.',
    canvasNotOwner: 'Only the person who asked for this summary can save it as a canvas.',
    alreadyShared: 'This summary is already shared in the channel.',
    shared: 'Shared in the channel.',
    alreadyCanvas: (link) => `Already saved as a canvas: ${link}`,
    canvasBusy: 'This summary is being saved as a canvas already.',
    savedCanvas: (link) =>
      `Saved as a canvas in this channel’s tabs: ${link}. Everyone in the channel can open it.`,
    halfShared: (why) =>
      `The summary’s title was posted in the channel, but its text could not be added under it. ${why} Run \`/summarize\` again to share a new one.`,
    foreignPrivate:
      'That link points to a private conversation. Run `/summarize` with the link inside that conversation, so the summary stays where the messages are.',
    notYours:
      'That link points to a conversation you are not a member of, so I can’t summarize it for you. Run `/summarize` there once you have joined it.',
    uncheckedReader:
      'I could not check with Slack whether you can read that conversation, so I did not summarize it. Please try again later.',
  },
};

import type { BotTexts, SearchOff, WindowUnit } from './bot-texts.js';

/** German: the bot's own words (see language.ts), in the informal "du" of Slack's own German. */

const num = (n: number) => n.toLocaleString('de-DE');
const plural = (n: number, one: string, many: string) => `${num(n)} ${n === 1 ? one : many}`;

/** One unit ("die letzte Stunde"), and several ("Stunden"). */
const UNITS: Record<WindowUnit, [string, string]> = {
  m: ['die letzte Minute', 'Minuten'],
  h: ['die letzte Stunde', 'Stunden'],
  d: ['den letzten Tag', 'Tage'],
  w: ['die letzte Woche', 'Wochen'],
};

const SEARCH_OFF: Record<SearchOff, string> = {
  no_scope:
    'Diese App darf Slack nicht durchsuchen (ihr fehlen die `search:read`-Scopes: Ein Admin kann sie aus manifest.yml neu installieren)',
  no_token:
    'Slack hat mit deiner Nachricht keine Suchberechtigung mitgeschickt (die gibt es nur für Personen dieses Workspaces, für ihre eigenen Nachrichten)',
  not_kept:
    'Deine Nachricht wurde nach einem Neustart beantwortet, und die Suchberechtigung, die mit ihr kam, wird nicht aufbewahrt, während eine Frage wartet',
  token_refused: 'Slack hat die Suchberechtigung deiner Nachricht nicht mehr angenommen (sie gilt nur kurz)',
  failed: 'Die Suche von Slack hat nicht geantwortet',
};

export const DE: BotTexts = {
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
  memory: {
    remembered: (n, max) =>
      `:memo: Alles klar: Das merke ich mir für diesen Channel (Fakt ${n} von höchstens ${max}). Sag „was hast du dir gemerkt?“, um sie zu sehen, oder „vergiss ${n}“, um ihn zu löschen.`,
    already: (n) => `Das weiß ich schon (Fakt ${n}).`,
    empty: 'Was soll ich mir merken? Erwähne mich mit „merke dir, dass …“ und dem Fakt.',
    tooLong: (chars, max) =>
      `Das ist zu lang, um es mir zu merken (${num(chars)} Zeichen; höchstens ${max}). Bitte kürze es.`,
    full: (max) =>
      `Ich merke mir in diesem Channel schon ${max} Fakten, mehr geht nicht. Sag „vergiss <Nummer>“, um Platz zu schaffen („was hast du dir gemerkt?“ listet sie auf).`,
    nothing:
      'Ich habe mir in diesem Channel noch nichts gemerkt. Erwähne mich mit „merke dir, dass …“, um mir einen Fakt beizubringen.',
    forgotAll: (n) =>
      `:wastebasket: Vergessen: ${n === 1 ? 'der eine Fakt' : `alle ${n} Fakten`} dieses Channels.`,
    forgot: (fact) => `:wastebasket: Vergessen: „${fact}“`,
    notFound:
      'So etwas habe ich mir hier nicht gemerkt. Sag „was hast du dir gemerkt?“ für die nummerierte Liste.',
    which: (numbers) =>
      `Mehrere Fakten passen: ${numbers.join(', ')}. Sag „vergiss <Nummer>“, um einen zu löschen.`,
    off: 'Das Channel-Gedächtnis ist in diesem Channel ausgeschaltet.',
    notMember: 'Nur Mitglieder dieses Channels können sehen oder ändern, was ich mir hier merke.',
    unverified:
      'Ich konnte bei Slack nicht prüfen, ob du Mitglied dieses Channels bist, daher habe ich nichts geändert. Bitte versuche es später noch einmal.',
    failed: ':warning: Ich komme gerade nicht an mein Gedächtnis. Bitte versuche es gleich noch einmal.',
    unavailable:
      ':warning: Mein Gedächtnis für diesen Channel ist nicht verfügbar: Der Speicher dafür konnte nicht gelesen werden. Ich habe nichts geändert, und die Fakten darin sind nicht gelöscht. Bitte sag der Person Bescheid, die diesen Bot betreibt (ihr Log nennt das Problem).',
    listHead: (n, max) => `Was ich mir in diesem Channel merke (${n} von höchstens ${max}):`,
    listFoot: '_„vergiss <Nummer>“ löscht einen._',
  },
  search: {
    sources: 'Quellen',
    off: (why) =>
      `_Die Workspace-Suche ist für diese Antwort aus: ${SEARCH_OFF[why]}. Ich habe aus diesem Thread geantwortet._`,
    cut: (max) =>
      `_Ich habe beim Limit dieser Antwort von ${max} ${max === 1 ? 'Suche' : 'Suchen'} aufgehört zu suchen._`,
  },
  model: {
    answeredWith: (model) => `Mit ${model} beantwortet, wie für diese Frage gewünscht.`,
    noChoice: (choice, current) =>
      `Ich kann hier nicht zu „${choice}“ wechseln: Dieser Channel bietet keine Modellauswahl (ich antworte mit ${current}).`,
    notAllowed: (choice, allowed, aliases) =>
      `Ich kann „${choice}“ hier nicht verwenden. Modelle, die du in diesem Channel wählen kannst: ${allowed}${aliases ? ` (oder nach Familie: ${aliases})` : ''}. Sag „nutze <Modell>: deine Frage“.`,
  },
  follow: {
    unfollowed:
      'Okay, ich antworte in diesem Thread nicht mehr auf Antworten. Erwähne mich, wenn du mich wieder brauchst.',
    stopped: 'Angehalten.',
    notFollowing: 'Ich antworte in diesem Thread nur, wenn ich erwähnt werde: Es gibt nichts anzuhalten.',
  },
  feedback: {
    title: 'Was war falsch?',
    submit: 'Senden',
    close: 'Überspringen',
    reasonLabel: 'Die Antwort war…',
    detailsLabel: 'Noch etwas? (optional)',
    reasons: {
      wrong: 'Falsch',
      outdated: 'Veraltet',
      incomplete: 'Unvollständig',
      harmful: 'Schädlich',
      other: 'Anderes',
    },
  },
  summaries: {
    lastUnits: (n, unit) => (n === 1 ? `${UNITS[unit][0]}` : `die letzten ${num(n)} ${UNITS[unit][1]}`),
    lastMessages: (n) => (n === 1 ? 'die letzte Nachricht' : `die letzten ${num(n)} Nachrichten`),
    thisThread: 'diesen Thread',
    thisConversation: 'dieser Unterhaltung',
    inPlace: (what, place) => `${what} in ${place}`,
    threadIn: (place) => `einen Thread in ${place}`,
    summarizing: (what) => `Ich fasse ${what} zusammen…`,
    title: (label) => `Zusammenfassung für ${label}`,
    noMessages: (label) => `Es gibt keine Nachrichten zum Zusammenfassen für ${label}.`,
    queued: (ahead) =>
      `Gerade werden andere Zusammenfassungen geschrieben; deine ist ${ahead === 0 ? 'als Nächste dran' : `nach ${num(ahead)} weiteren dran`}…`,
    posted: 'Die Zusammenfassung steht jetzt im Channel.',
    stopped: 'Angehalten: Es wurde keine Zusammenfassung geschrieben.',
    coverage: (c) =>
      `${plural(c.messages, 'Nachricht', 'Nachrichten')} von ${plural(c.people, 'Person', 'Personen')}, ${
        c.threads === 0 ? 'keine Threads' : plural(c.threads, 'Thread', 'Threads')
      }${c.from && c.to ? `, von ${c.from} bis ${c.to}` : ''}.${
        c.cutAt
          ? ` Der Verlauf wurde bei ${plural(c.cutAt, 'Nachricht', 'Nachrichten')} abgeschnitten: Ältere Nachrichten oder Antworten fehlen.`
          : ''
      }`,
    files: (links, more) => `Geteilte Dateien: ${links}${more ? ` und ${num(more)} weitere` : ''}`,
    cut: '_…die Zusammenfassung war zu lang für eine Nachricht und wurde hier abgeschnitten._',
    shareButton: 'Im Channel teilen',
    canvasButton: 'Als Canvas speichern',
    stopButton: 'Stopp',
    reading: 'Lese die Unterhaltung',
    read: (n) => `${plural(n, 'Nachricht', 'Nachrichten')} gelesen`,
    summarizingPart: (part, total) => `Fasse Teil ${num(part)} von ${num(total)} zusammen`,
    summarizedParts: (total) => `${num(total)} Teile zusammengefasst`,
    writing: 'Schreibe die Zusammenfassung',
    wrote: 'Zusammenfassung geschrieben',
    writingInThread: 'Schreibe die Zusammenfassung in ihren Thread im Channel',
    stoppedTask: 'Angehalten',
    unfinished: 'Konnte nicht fertiggestellt werden',
    publicParent: (title, requester) =>
      `${title}, angefordert von ${requester}. Die Zusammenfassung steht im Thread.`,
    publicFallback: (title, requester) => `${title}, angefordert von ${requester}`,
    shareExpired:
      'Diese Zusammenfassung ist abgelaufen. Führe `/summarize` noch einmal aus, um eine neue zu teilen.',
    canvasExpired:
      'Diese Zusammenfassung ist abgelaufen. Führe `/summarize` noch einmal aus, um eine neue zu speichern.',
    shareNotOwner:
      'Nur die Person, die diese Zusammenfassung angefordert hat, kann sie teilen, und nur in ihrer eigenen Unterhaltung.',
    canvasNotOwner:
      'Nur die Person, die diese Zusammenfassung angefordert hat, kann sie als Canvas speichern.',
    alreadyShared: 'Diese Zusammenfassung ist schon im Channel geteilt.',
    shared: 'Im Channel geteilt.',
    alreadyCanvas: (link) => `Schon als Canvas gespeichert: ${link}`,
    canvasBusy: 'Diese Zusammenfassung wird gerade schon als Canvas gespeichert.',
    savedCanvas: (link) =>
      `Als Canvas in den Tabs dieses Channels gespeichert: ${link}. Alle im Channel können es öffnen.`,
    halfShared: (why) =>
      `Der Titel der Zusammenfassung steht im Channel, aber ihr Text konnte nicht darunter gesetzt werden. ${why} Führe \`/summarize\` noch einmal aus, um eine neue zu teilen.`,
    foreignPrivate:
      'Dieser Link führt zu einer privaten Unterhaltung. Führe `/summarize` mit dem Link in dieser Unterhaltung aus, damit die Zusammenfassung dort bleibt, wo die Nachrichten sind.',
    notYours:
      'Dieser Link führt zu einer Unterhaltung, in der du nicht Mitglied bist, daher kann ich sie nicht für dich zusammenfassen. Führe `/summarize` dort aus, sobald du beigetreten bist.',
    uncheckedReader:
      'Ich konnte bei Slack nicht prüfen, ob du diese Unterhaltung lesen darfst, daher habe ich sie nicht zusammengefasst. Bitte versuche es später noch einmal.',
  },
};

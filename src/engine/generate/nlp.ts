import nlp from 'compromise';

/** A word with its part-of-speech tags (compromise's tag names) and its file offsets. */
export interface Term {
  text: string;
  start: number;
  end: number;
  tags: Set<string>;
  /** Punctuation and spaces after the word, as in the text. */
  post: string;
  pre: string;
  /** Everything between this word and the next one (its `post` and the next word's `pre`). */
  after: string;
}

/** The verb group of a clause: auxiliaries and main verb, with what is needed to invert it into a question. */
export interface VerbGroup {
  /** Term indices [from, to) in the sentence, and the index of the main verb. */
  from: number;
  to: number;
  main: number;
  auxiliary: string;
  copula: boolean;
  past: boolean;
  negative: boolean;
}

export interface Sentence {
  start: number;
  end: number;
  terms: Term[];
  verbs: VerbGroup[];
}

interface CompromiseTerm {
  text: string;
  pre: string;
  post: string;
  tags: string[];
  offset: { start: number; length: number };
}

/**
 * Parses a piece of plain text into sentences of tagged terms. `offset` is where the piece starts in
 * the file, so every offset returned is a file offset.
 */
export function analyse(text: string, offset: number): Sentence[] {
  const doc = nlp(text);
  const sentences: Sentence[] = [];
  const json = doc.json({ offset: true, terms: { offset: true } }) as { terms: CompromiseTerm[] }[];
  for (const sentence of json) {
    const terms: Term[] = sentence.terms
      .filter((term) => term.text !== '')
      .map((term) => ({
        text: term.text,
        start: offset + term.offset.start,
        end: offset + term.offset.start + term.offset.length,
        tags: new Set(term.tags),
        pre: term.pre,
        post: term.post,
        after: term.post,
      }));
    for (let k = 0; k + 1 < terms.length; k++) terms[k]!.after = terms[k]!.post + terms[k + 1]!.pre;
    repairTags(terms);
    if (terms.length > 0) sentences.push({ start: terms[0]!.start, end: terms.at(-1)!.end, terms, verbs: [] });
  }
  for (const sentence of sentences) sentence.verbs = verbGroups(sentence.terms);
  settleTense(sentences);
  return sentences;
}

/** Verbs whose past form is their present one ("They then beat the Patriots"). */
const SAME_IN_PAST = /^(beat|put|set|cut|hit|let|spread|cost|hurt|shut|split|quit|cast|burst|read|upset|bet|broadcast|forecast|thrust|bid|fit|shed|wed)$/i;

/** A verb of the same form in present and past takes the tense of the other verbs of its text, when most are past. */
function settleTense(sentences: Sentence[]): void {
  // "In 1999 the European Council set up a body": a year before such a verb in its sentence puts it in the past.
  for (const sentence of sentences) {
    for (const verb of sentence.verbs) {
      const head = sentence.terms[verb.main]!;
      const year = sentence.terms.slice(0, verb.from).some((term) => /^(1\d{3}|20[01]\d)$/.test(term.text) && term.tags.has('Value'));
      if (year && SAME_IN_PAST.test(head.text) && verb.auxiliary === '' && !/s$/i.test(head.text)) verb.past = true;
    }
  }
  const groups = sentences.flatMap((sentence) => sentence.verbs.map((verb) => ({ verb, head: sentence.terms[verb.main]! })));
  const clear = groups.filter(({ head }) => !SAME_IN_PAST.test(head.text) && (head.tags.has('PastTense') || head.tags.has('PresentTense')));
  const past = clear.filter(({ verb }) => verb.past || /^(did|was|were|had)/i.test(verb.auxiliary)).length;
  if (past * 2 <= clear.length) return;
  for (const { verb, head } of groups) if (SAME_IN_PAST.test(head.text) && verb.auxiliary === '' && !/s$/i.test(head.text)) verb.past = true;
}

const DEFINING_VERB = /^(refers|means|denotes|stands)$/i;

const PERSON_TAGS = ['Person', 'FirstName', 'LastName', 'MaleName', 'FemaleName'];

function retag(term: Term, tags: string[]): void {
  term.tags = new Set(tags);
}

/**
 * Fixes tagging slips of compromise that the generators trip over, each shown by its example below:
 * nouns taken for verbs (after a number, a preposition or a title, or in -s before the verb), names
 * in -ly taken for adverbs, and "X refers to / means" with the verb taken for a noun.
 */
function repairTags(terms: Term[]): void {
  // "Kuechly led the team", "Manning completed a pass": a capitalised word in -ly or -ing before a verb is a name.
  for (const [i, term] of terms.entries()) {
    const next = terms[i + 1];
    const misread = (term.tags.has('Adverb') && /^\p{Lu}\p{Ll}+ly$/u.test(term.text)) || (term.tags.has('Gerund') && /^\p{Lu}\p{Ll}+ing$/u.test(term.text) && (i > 0 || next?.tags.has('PastTense') === true));
    if (misread && !/[,;:()]/.test(term.after) && next && (next.tags.has('PastTense') || next.tags.has('PresentTense')) && !next.tags.has('Adverb') && !next.tags.has('Gerund')) {
      retag(term, ['Noun', 'ProperNoun', 'Singular']);
    }
  }
  // "the lunar surface EVA suit": compromise reads "EVA suit" as a woman's name; a word in lower case,
  // or in capitals before a lower-case noun, names no person.
  for (const [i, term] of terms.entries()) {
    const lower = /^\p{Ll}/u.test(term.text);
    const acronym = /^[\p{Lu}]{2,}$/u.test(term.text) && /^\p{Ll}/u.test(terms[i + 1]?.text ?? '') && terms[i + 1]!.tags.has('Noun');
    if ((lower || acronym) && PERSON_TAGS.some((tag) => term.tags.has(tag))) {
      term.tags = new Set([...term.tags].filter((tag) => !PERSON_TAGS.includes(tag) && (tag !== 'ProperNoun' || !lower)));
    }
  }
  for (let i = 1; i < terms.length; i++) {
    const term = terms[i]!;
    const previous = terms[i - 1]!;
    if (/^used$/i.test(term.text) && /^(is|are|was|were|be|been|being)$/i.test(previous.text)) {
      // "was used to select": compromise reads "used to" as the habit ("I used to go") and "used" as a noun.
      retag(term, ['Verb', 'PastTense', 'Passive']);
      if (/^to$/i.test(terms[i + 1]?.text ?? '')) retag(terms[i + 1]!, ['Conjunction']);
    } else if (previous.tags.has('Cardinal') && term.tags.has('Verb') && /[^s]s$/i.test(term.text) && !/[,;:]/.test(previous.after) && !isLabel(terms, i - 1)) {
      retag(term, ['Noun', 'Plural']);
    } else if (previous.tags.has('Cardinal') && isLabel(terms, i - 1) && term.tags.has('Plural') && /[^s]s$/i.test(term.text) && !/[,;:()]/.test(previous.after) && !/[,;:()]/.test(term.after) && ['Determiner', 'Adjective'].some((tag) => terms[i + 1]?.tags.has(tag) === true)) {
      // "The French Confession of 1559 shows a ...": after a year or a numbered name, a word in -s before an object is the verb.
      retag(term, ['Verb', 'PresentTense']);
    } else if (DEFINING_VERB.test(term.text) && previous.tags.has('Noun') && !term.tags.has('Verb')) {
      retag(term, ['Verb', 'PresentTense']);
    } else if (
      term.tags.has('Verb') && !term.tags.has('Gerund') && !term.tags.has('PastTense') && !term.tags.has('Auxiliary') &&
      previous.tags.has('Preposition') && !/^(to|than|as|like|because)$/i.test(previous.text) && !/[,;:()]/.test(previous.after)
    ) {
      // "led the team in sacks", "at age 39": after a preposition, a present form is a noun.
      retag(term, ['Noun', /[^s]s$/i.test(term.text) ? 'Plural' : 'Singular']);
    } else if (
      term.tags.has('Verb') && term.tags.has('Infinitive') && previous.tags.has('Adjective') && !/[,;:()]/.test(previous.after) &&
      terms[i + 1]?.tags.has('ProperNoun') === true
    ) {
      // "defensive tackle Kawann Short": a title before a name.
      retag(term, ['Noun', 'Singular', 'Actor']);
    } else if (isNounBeforeVerb(terms, i)) {
      // "The railway engineers replaced ...", "a Rankine cycle is", "Victorian lines mainly use": a
      // present form between a noun phrase's start and the clause's verb is the phrase's noun.
      retag(term, ['Noun', /[^s]s$/i.test(term.text) ? 'Plural' : 'Singular']);
    } else if (isNounInObject(terms, i)) {
      // "won their first lower house seats in 2014": a word in -s that ends a verb's object is its plural noun.
      retag(term, ['Noun', 'Plural']);
    } else if (
      previous.tags.has('Copula') && /^(is|are|was|were)$/i.test(previous.text) && term.tags.has('Verb') && !term.tags.has('Gerund') &&
      !term.tags.has('PastTense') && !term.tags.has('Participle') && !/[^s]s$/i.test(term.text)
    ) {
      // "The region is home to ...", "is part of": after "is" a plain verb form is a noun.
      retag(term, ['Noun', 'Singular']);
    } else if (/^(thereafter|hereafter|therefore|meanwhile|nevertheless|nonetheless|subsequently)$/i.test(term.text)) {
      retag(term, ['Adverb']);
    }
  }
}

/**
 * A number that names rather than counts, so that a verb in -s after it stays a verb: a year after "of"
 * or "in" ("The French Confession of 1559 shows"), a number after a capitalised noun ("TFEU article 227
 * contains", "Super Bowl 50 features").
 */
function isLabel(terms: Term[], i: number): boolean {
  const number = terms[i]!;
  const before = terms[i - 1];
  if (!before || /[,;:()]/.test(before.after)) return false;
  if (/^\d{4}$/.test(number.text) && /^(of|in)$/i.test(before.text)) return true;
  return before.tags.has('Noun') && !before.tags.has('Plural') && !before.tags.has('Pronoun') && /^\d+$/.test(number.text);
}

/** A present form that could be a noun: not "be", "have", "do", a modal or a form in -ing / -ed. */
function mayBeNoun(term: Term): boolean {
  const tags = term.tags;
  return tags.has('Verb') && tags.has('PresentTense') && !['Gerund', 'PastTense', 'Copula', 'Auxiliary', 'Modal'].some((tag) => tags.has(tag)) && !/^(be|is|are|am|has|have|do|does)$/i.test(term.text);
}

/** A word that can stand right before a noun inside its phrase (but a pronoun cannot). */
const leadsNoun = (term: Term) => term.tags.has('Determiner') || term.tags.has('Adjective') || term.tags.has('Value') || term.tags.has('Noun') && !term.tags.has('Pronoun');

/** Term `i` looks like a verb but stands after a noun phrase's start and before the clause's finite verb (adverbs between). */
function isNounBeforeVerb(terms: Term[], i: number): boolean {
  const term = terms[i]!;
  const previous = terms[i - 1];
  if (!previous || !mayBeNoun(term) || !leadsNoun(previous) || /[,;:()]/.test(previous.after) || /[,;:()]/.test(term.after)) return false;
  let k = i + 1;
  while (k < terms.length && terms[k]!.tags.has('Adverb') && !terms[k]!.tags.has('Verb') && !/[,;:()]/.test(terms[k - 1]!.after)) k++;
  const next = terms[k];
  if (!next || /[,;:()]/.test(terms[k - 1]!.after)) return false;
  if (['PastTense', 'Copula', 'Modal', 'Auxiliary'].some((tag) => next.tags.has(tag))) return !next.tags.has('Noun');
  // Two present forms in a row ("lines use"): the first is the noun only when it is a plural in -s.
  return /[^s]s$/i.test(term.text) && k > i + 1 && mayBeNoun(next);
}

/** Term `i`, a form in -s after a noun, ends the object of a verb before it ("won their first lower house seats"). */
function isNounInObject(terms: Term[], i: number): boolean {
  const term = terms[i]!;
  const previous = terms[i - 1];
  if (!previous || !mayBeNoun(term) || !/[^s]s$/i.test(term.text) || !previous.tags.has('Noun') || previous.tags.has('Pronoun') || previous.tags.has('Plural')) return false;
  const next = terms[i + 1];
  // "the house seats the guests": an object after it makes it the verb.
  if (next && !/[,;:()]/.test(term.after) && (next.tags.has('Determiner') || next.tags.has('Noun') || next.tags.has('Value') || next.tags.has('Adjective'))) return false;
  let k = i - 1;
  while (k > 0 && !/[,;:()]/.test(terms[k - 1]!.after) && leadsNoun(terms[k - 1]!) && !terms[k - 1]!.tags.has('Verb')) k--;
  const before = terms[k - 1];
  return before !== undefined && before.tags.has('Verb') && !before.tags.has('Copula') && !/[,;:()]/.test(before.after);
}

/** Words that may stand between an auxiliary and its verb ("was not", "has first been", "is also"). */
const isModifier = (term: Term) => term.tags.has('Negative') || term.tags.has('Adverb') || /^(first|last|also|still|then|now|never|already|once)$/i.test(term.text);

const isVerb = (term: Term | undefined) => term !== undefined && term.tags.has('Verb');

/**
 * Verb groups read off the tags: a run of auxiliaries, negations, adverbs and verbs ending in the
 * main verb ("has not yet grown", "was quickly taken", "is").
 */
export function verbGroups(terms: Term[]): VerbGroup[] {
  const groups: VerbGroup[] = [];
  let i = 0;
  while (i < terms.length) {
    if (!isVerb(terms[i])) {
      i++;
      continue;
    }
    const from = i;
    let main = i;
    let to = i + 1;
    // Auxiliaries, copulas and modals may be followed by adverbs, "not" and more verbs.
    while (to < terms.length && /[,;:()]/.test(terms[to - 1]!.after) === false) {
      const term = terms[to]!;
      const opensMore = terms[main]!.tags.has('Auxiliary') || terms[main]!.tags.has('Modal') || terms[main]!.tags.has('Copula');
      if (isVerb(term) && opensMore) {
        main = to;
        to++;
      } else if (isModifier(term) && opensMore) {
        let k = to;
        while (k < terms.length && isModifier(terms[k]!)) k++;
        if (!isVerb(terms[k])) break;
        main = k;
        to = k + 1;
      } else {
        break;
      }
    }
    const head = terms[main]!;
    const auxiliaries = terms.slice(from, main).filter((term) => isVerb(term));
    groups.push({
      from,
      to,
      main,
      auxiliary: auxiliaries.map((term) => term.text).join(' '),
      copula: auxiliaries.length === 0 && head.tags.has('Copula'),
      past: head.tags.has('PastTense'),
      negative: terms.slice(from, to).some((term) => term.tags.has('Negative')),
    });
    i = to;
  }
  return groups;
}

/** The forms of a verb ("coined" → { PastTense: "coined", PresentTense: "coins", Infinitive: "coin" }), from compromise. */
export function verbForms(verb: string): { PastTense?: string; PresentTense?: string; Infinitive?: string } | undefined {
  // Behind a subject the word is read as a verb ("stripped" alone is read as an adjective); a gerund behind "are".
  const word = verb.toLowerCase();
  const text = /ing$/.test(word) ? `they are ${word}` : `they ${word}`;
  const forms = (nlp(text).verbs() as unknown as { conjugate(): { PastTense?: string; PresentTense?: string; Infinitive?: string }[] }).conjugate()[0];
  // "are" itself, when the word after it was not read as a verb.
  return forms?.Infinitive === 'be' && !/^(be|is|are|was|were|been|being|am)$/.test(word) ? undefined : forms;
}

/** The dictionary form of a verb ("gave" → "give", "installing" → "install"), for do-support ("did ... give"). */
export function infinitiveOf(verb: string): string {
  return verbForms(verb)?.Infinitive ?? verb;
}

export type EntityType = 'person' | 'place' | 'organization' | 'date' | 'duration' | 'money' | 'percent' | 'count' | 'number' | 'name';

/** A span of terms [from, to) that answers a wh-question of a known type. */
export interface Entity {
  type: EntityType;
  from: number;
  to: number;
}

const TIME_UNITS = /^(years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries)$/i;
const MONTH_OR_YEAR = /^(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|\d{4}s?|\d{1,2}(st|nd|rd|th)?|(early|late|mid)-?\d{4}s?)$/i;

const YEAR_PREPOSITION = /^(in|since|by|until|till|during|before|after|from|of|circa|c\.)$/i;

function breaksAfter(term: Term): boolean {
  return /[,;:()"\u201c\u201d[\]]|[.!?]\s*$/.test(term.after);
}

const foundEntities = new WeakMap<Sentence, Entity[]>();

/** The entities of a sentence (see readEntities), found once per sentence. */
export function findEntities(sentence: Sentence): Entity[] {
  let entities = foundEntities.get(sentence);
  if (!entities) {
    entities = readEntities(sentence);
    foundEntities.set(sentence, entities);
  }
  return entities;
}

/**
 * Finds answer-sized entities in a sentence from compromise's tags: people, places, organisations,
 * dates, amounts of money, percentages, counts of things, durations and other proper names.
 */
function readEntities(sentence: Sentence): Entity[] {
  const { terms } = sentence;
  const entities: Entity[] = [];
  const has = (i: number, tag: string) => terms[i]?.tags.has(tag) === true;
  let i = 0;
  while (i < terms.length) {
    const term = terms[i]!;
    let type: EntityType | undefined;
    let to = i + 1;
    const extend = (test: (j: number) => boolean, acrossCommas = false) => {
      while (to < terms.length && test(to) && (acrossCommas || !breaksAfter(terms[to - 1]!))) to++;
    };
    if (has(i, 'Person')) {
      extend((j) => has(j, 'Person'));
      type = 'person';
    } else if (has(i, 'Organization')) {
      extend((j) => has(j, 'Organization'));
      type = 'organization';
    } else if (has(i, 'Place')) {
      extend((j) => has(j, 'Place'));
      type = 'place';
    } else if (has(i, 'Money')) {
      extend((j) => has(j, 'Money') || (has(j, 'Value') && /^(thousand|million|billion|trillion)$/i.test(terms[j]!.text)));
      type = 'money';
    } else if (has(i, 'Percent') || (has(i, 'Value') && /^(percent|per cent)$/i.test(terms[i + 1]?.text ?? ''))) {
      if (!has(i, 'Percent')) to = i + 2;
      type = 'percent';
    } else if (has(i, 'Date') && MONTH_OR_YEAR.test(term.text)) {
      extend((j) => has(j, 'Date') && (MONTH_OR_YEAR.test(terms[j]!.text) || /^(of|the)$/i.test(terms[j]!.text)), true);
      while (to > i + 1 && /^(of|the)$/i.test(terms[to - 1]!.text)) to--;
      type = 'date';
    } else if ((has(i, 'Cardinal') || has(i, 'NumericValue') || has(i, 'TextValue')) && !has(i, 'Ordinal')) {
      extend((j) => has(j, 'Value') && !has(j, 'Ordinal') && !breaksAfter(terms[j - 1]!));
      const next = terms[to];
      const year = /^\d{4}$/.test(term.text) && to === i + 1 && Number(term.text) >= 1000 && Number(term.text) <= 2100;
      // "in the 1950s", "since the 1990s": a decade.
      const decade = /^1\d{2}0s$|^20\d0s$/.test(term.text) && to === i + 1;
      if (decade || year && (term.tags.has('Year') || YEAR_PREPOSITION.test(terms[i - 1]?.text ?? ''))) {
        type = 'date';
      } else if (next && TIME_UNITS.test(next.text) && !breaksAfter(terms[to - 1]!)) {
        to++;
        type = 'duration';
      } else if (next && next.tags.has('Plural') && next.tags.has('Noun') && !breaksAfter(terms[to - 1]!)) {
        type = 'count';
      } else {
        type = 'number';
      }
    } else if (has(i, 'ProperNoun') && !has(i, 'Pronoun') && i > 0) {
      // A capitalised name inside the sentence (the first word is capitalised anyway).
      extend((j) => has(j, 'ProperNoun'));
      type = 'name';
    }
    if (type) entities.push({ type, from: i, to });
    i = Math.max(to, i + 1);
  }
  return entities;
}

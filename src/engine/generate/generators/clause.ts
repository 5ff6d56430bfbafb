import { findEntities, infinitiveOf, verbForms, type Sentence, type Term, type VerbGroup } from '../nlp';
import { breaksAfter, isNominal, isPlural, nounPhraseAt, opensAmount, type NounPhrase } from '../phrases';
import { isCapitalisedWord } from '../casing';
import type { PassageContext } from './context';

/** A range of terms [from, to) of a sentence. */
export interface Span {
  from: number;
  to: number;
}

/** A phrase after the verb: a noun phrase, a preposition with its noun phrase, an adverb, or anything else. */
export interface Part extends Span {
  kind: 'noun' | 'preposition' | 'adverb' | 'adjective' | 'infinitive' | 'means' | 'reason' | 'other';
  /** After a comma ("..., in 1066"): a question may ask about it but leaves it out otherwise. */
  detached?: boolean;
  /** Followed by "and" and more of the same ("acetylene and compressed oxygen"): not a whole answer. */
  continued?: boolean;
  /** The first item of a list that goes on after a comma ("Lanzarote, Fuerteventura and El Hierro"): a question may name it but not ask for it. */
  listed?: boolean;
  /** The noun phrase of a 'noun' part, or the one after the preposition of a 'preposition' part. */
  phrase?: NounPhrase;
  preposition?: string;
}

/**
 * A clause read as subject + verb group + the phrases after the verb, in term indices of its sentence.
 * Questions are made by taking one of these out and putting the rest into question order.
 */
export interface Clause {
  sentence: Sentence;
  /** A phrase before the subject and its comma ("In 1066,"), or undefined. */
  fronted?: Span;
  subject: NounPhrase;
  /** Adverbs between the subject and the verb ("also", "often"). */
  adverbs: Span;
  verb: VerbGroup;
  /** The phrases after the verb, up to the first comma or the clause's end: what a question keeps. */
  parts: Part[];
  /** "X, who did Y": the subject is the noun phrase the relative pronoun refers to. */
  relative: boolean;
  /** "X did Y and did Z": the second verb phrase, whose subject stands before the first. */
  coordinated?: boolean;
  /** What a pronoun subject ("he") stands for, as it reads in a question ("Tesla"). */
  subjectName?: string;
  /** A noun phrase between commas after the subject ("Brian Johnson, a member of Geordie, ..."). */
  appositive?: NounPhrase;
  /** ", reaching France as early as 1519": a participle after the clause, whose subject and tense are the clause's. */
  participle?: boolean;
  /** "A Norman named Oursel": the subject goes on with a participle phrase, too long to be an answer of its own. */
  describedSubject?: boolean;
}

const SUBORDINATE_START = new Set(['although', 'though', 'while', 'when', 'whereas', 'because', 'since', 'if', 'after', 'before', 'as', 'once', 'unless', 'however', 'moreover', 'furthermore', 'thus', 'therefore', 'also', 'additionally', 'meanwhile', 'instead', 'later', 'today', 'currently', 'originally', 'initially', 'eventually', 'finally']);
/** Words after a comma that begin a new clause (so a clause ends before them). */
const NEW_CLAUSE = new Set(['which', 'who', 'whom', 'whose', 'and', 'but', 'while', 'whereas', 'although', 'though', 'where', 'because', 'so', 'or', 'yet', 'including', 'as', 'with', 'since', 'when', 'after', 'before', 'until', 'unless', 'if', 'however', 'thus', 'making', 'becoming', 'leading']);
const VAGUE = /^(this|that|these|those|there|here|such|one|all|each|every|any|both|some|another|other|others|many|most|several|few|same|former|latter|following|it|its|none|ours|yours|theirs|mine|hers)$/i;

const has = (term: Term | undefined, tag: string) => term !== undefined && term.tags.has(tag);

/**
 * Sentences' pieces that can each hold a clause: split at ';' and ':', and before "and / but / while"
 * when a comma stands before it or a noun phrase and a verb follow it ("X scored and Manning completed ...").
 */
function segments(sentence: Sentence): Span[] {
  const { terms } = sentence;
  const spans: Span[] = [];
  let from = 0;
  for (let i = 0; i < terms.length - 1; i++) {
    const after = terms[i]!.after;
    const next = terms[i + 1]!.text.toLowerCase();
    // (", while also leading the NFL in interceptions": "while" before an -ing form opens no clause of its own.)
    const beforeGerund = next === 'while' && has(terms[adverbsFrom(terms, i + 2, terms.length).to], 'Gerund');
    const conjunction = /^(and|but|while|whereas|although|though|yet|so)$/.test(next) && !beforeGerund;
    let opensClause = false;
    if (conjunction && !/,/.test(after)) {
      const subject = nounPhraseAt(terms, i + 2);
      const verb = subject && sentence.verbs.find((group) => group.from === adverbsFrom(terms, subject.to, terms.length).to);
      // Only a verb that cannot be a noun ("phase lag from ..." is one phrase): an auxiliary, a past form or one in -s.
      const clear = verb !== undefined && (verb.auxiliary !== '' || verb.copula || has(terms[verb.from], 'PastTense') || /[^s]s$/i.test(terms[verb.from]!.text));
      // ... and only when what stands before "and" is a clause of its own ("X scored and Manning completed").
      opensClause = clear && !breaksAfter(terms[subject!.to - 1]!) && isFinite(sentence, verb!) && mainClauseIn(sentence, { from, to: i + 1 }) !== undefined;
    }
    // ("Grissom, White, and Chaffee decided ...": before a verb, ", and" goes on with a list.)
    const verbBefore = sentence.verbs.some((verb) => verb.from >= from && verb.from <= i);
    if (/;|:\s/.test(after) || (conjunction && ((/,/.test(after) && verbBefore) || opensClause))) {
      spans.push({ from, to: i + 1 });
      from = /;|:\s/.test(after) ? i + 1 : i + 2;
    }
  }
  spans.push({ from, to: terms.length });
  return spans.filter((span) => span.to > span.from);
}

const ASPECTUAL = /^(continue|continues|continued|begin|begins|began|start|starts|started|stop|stops|stopped|keep|keeps|kept|finish|finishes|finished|cease|ceases|ceased|resume|resumes|resumed)$/i;

/** The verb group starting at term `at`, stretched over particles ("gave up") and kept inside `limit`. */
function verbAt(sentence: Sentence, at: number, limit: number): VerbGroup | undefined {
  const verb = sentence.verbs.find((group) => group.from === at);
  if (!verb || verb.to > limit) return undefined;
  let to = verb.to;
  while (to < limit && has(sentence.terms[to], 'Particle') && !breaksAfter(sentence.terms[to - 1]!)) to++;
  // "continued trading", "began playing": a verb of beginning or going on takes the -ing form along.
  if (to === verb.main + 1 && to < limit && ASPECTUAL.test(sentence.terms[verb.main]!.text) && has(sentence.terms[to], 'Gerund') && !breaksAfter(sentence.terms[to - 1]!)) to++;
  return { ...verb, to };
}

/** A finite verb can head a clause; "to go", "going", "gone" cannot. */
function isFinite(sentence: Sentence, verb: VerbGroup): boolean {
  const first = sentence.terms[verb.from]!;
  if (verb.auxiliary !== '' || verb.copula) return true;
  if (has(first, 'Gerund') || /ing$/i.test(first.text) || has(first, 'Infinitive') && !has(first, 'PresentTense')) return false;
  if (/^to$/i.test(sentence.terms[verb.from - 1]?.text ?? '')) return false;
  return has(first, 'PastTense') || has(first, 'PresentTense');
}

/**
 * Parses the phrases after the verb up to `limit`: noun phrases, phrases of a preposition (also after a
 * comma, marked detached), adverbs, "to" + verb, "by" + -ing; it stops at "and"/"but" and leaves what it
 * cannot take apart as one 'other' part.
 */
export function partsAfter(terms: Term[], from: number, limit: number): Part[] {
  const parts: Part[] = [];
  let i = from;
  let detached = false;
  while (i < limit) {
    const term = terms[i]!;
    if (i > from && breaksAfter(terms[i - 1]!)) {
      // "conquered the Canarian islands of Lanzarote, Fuerteventura and El Hierro": a list goes on after the comma, so its first item is no whole answer.
      const last = parts.at(-1);
      if (last?.phrase && last.to === i && /^,\s*$/.test(terms[i - 1]!.after) && listGoesOn(terms, i, limit)) parts[parts.length - 1] = { ...last, listed: true };
      // ", 23–16, by scoring ...": a number between commas (a score) is passed over to the phrase after it.
      let aside = i;
      while (aside < limit - 1 && has(terms[aside + 1], 'Value') && (!breaksAfter(terms[aside]!) || /^\s*[-\u2013]\s*$/.test(terms[aside]!.after))) aside++;
      // (The tagger may keep a score's closing comma to itself: "23–16" is then followed by no space.)
      if (/^,\s*$/.test(terms[i - 1]!.after) && has(terms[aside], 'Value') && /^(,\s*)?$/.test(terms[aside]!.after) && has(terms[aside + 1], 'Preposition') && parts.length > 0) {
        i = aside + 1;
        detached = true;
        continue;
      }
      // After a comma, phrases of a preposition still go with the verb ("..., in 1066", "..., by scoring 11 points").
      if (!/^,\s*$/.test(terms[i - 1]!.after) || !has(term, 'Preposition') || /^(of|than|as|like|including)$/i.test(term.text) || parts.length === 0) break;
      detached = true;
    }
    // "and", "but", "while": what follows is another phrase or clause, which questions leave out; a
    // phrase that goes on after "and" ("a mixture of acetylene and compressed oxygen") is no whole answer.
    if (/^(and|or|but|while|whereas|nor|yet)$/i.test(term.text)) {
      const last = parts.at(-1);
      // ("acetylene and compressed oxygen": a participle before a bare noun describes it, it is no second verb.)
      const described = (has(terms[i + 1], 'PastTense') || has(terms[i + 1], 'Gerund')) && has(terms[i + 2], 'Noun') && !has(terms[i + 2], 'Pronoun') && !breaksAfter(terms[i + 1]!);
      // ("... discouraged church construction and only a small number were rebuilt": a noun phrase and a
      // finite verb after "and" open a new clause; the phrase before "and" is whole.)
      const after = adverbsFrom(terms, i + 1, limit).to;
      const next = nounPhraseAt(terms, after, limit);
      const verbAfter = next !== undefined && !next.pronoun && !breaksAfter(terms[next.to - 1]!) && sentenceVerbAt(terms, next.to);
      const joinsPhrase = last !== undefined && /^(and|or)$/i.test(term.text) && (!has(terms[i + 1], 'Verb') || described) && !verbAfter;
      if (joinsPhrase) parts[parts.length - 1] = { ...last, continued: true };
      // "in Victoria's North Western and Eastern rural areas": the names share the noun after them, so the phrase is cut.
      const tail = nounPhraseAt(terms, i + 1, limit);
      if (last?.phrase && tail && isCapitalised(terms[last.phrase.to - 1]) && isCapitalised(terms[i + 1]) && !isCapitalised(terms[tail.head])) {
        parts[parts.length - 1] = { kind: 'other', from: last.from, to: Math.max(tail.to, last.to) };
      } else if (joinsPhrase && last.phrase && (last.kind === 'noun' || last.kind === 'preposition') && tail && !tail.pronoun && isLike(terms, last.phrase, tail) && !has(terms[tail.to], 'Verb') && (tail.to >= limit || breaksAfter(terms[tail.to - 1]!) || has(terms[tail.to], 'Preposition') && !/^(that|which|who)$/i.test(terms[tail.to]!.text) || /^to$/i.test(terms[tail.to]!.text) && has(terms[tail.to + 1], 'Verb'))) {
        // "renowned for his achievements and showmanship": a phrase of the same kind after "and" that
        // ends where a phrase may end joins the one before, and the clause goes on after it.
        parts[parts.length - 1] = { ...last, to: tail.to, phrase: { ...last.phrase, to: tail.to } };
        i = tail.to;
        continue;
      }
      break;
    }
    let part: Part | undefined;
    const amount = opensAmount(terms, i) ? nounPhraseAt(terms, i, limit) : undefined;
    if (amount) {
      part = { kind: 'noun', from: i, to: amount.to, phrase: amount };
    } else if (/^by$/i.test(term.text) && has(terms[i + 1], 'Gerund') && !breaksAfter(term)) {
      // "by scoring 11 points": how it was done, up to the next comma.
      let to = i + 1;
      while (to < limit && !breaksAfter(terms[to - 1]!) && !/^(and|or|but|while)$/i.test(terms[to]!.text)) to++;
      // Cut off before a comma inside it ("armed with groups of large, ...") it would end mid-phrase.
      if (!isNominal(terms[to - 1])) break;
      part = { kind: 'means', from: i, to, ...(/^(and|or)$/i.test(terms[to]?.text ?? '') ? { continued: true } : {}) };
    } else if (/^(because of|due to|owing to)$/i.test(`${term.text} ${terms[i + 1]?.text}`) && !breaksAfter(term) && nounPhraseAt(terms, i + 2, limit)) {
      // "because of their disastrous financial situation": why it happened.
      const reason = nounPhraseAt(terms, i + 2, limit)!;
      part = { kind: 'reason', from: i, to: phrasesAfter(terms, reason.to, limit, 2) };
    } else if (/^to$/i.test(term.text) && has(terms[i + 1], 'Verb') && !breaksAfter(term) || /^in order to$/i.test(`${term.text} ${terms[i + 1]?.text} ${terms[i + 2]?.text}`)) {
      // "to play in the Pro Bowl", "in order to attract visitors": an infinitive phrase, up to the next comma.
      let to = i + 1;
      while (to < limit && !breaksAfter(terms[to - 1]!) && !/^(and|or|but|while)$/i.test(terms[to]!.text)) to++;
      part = { kind: 'infinitive', from: i, to };
    } else if ((has(term, 'Preposition') || PREPOSITION_WORD.test(term.text) && (has(terms[i + 1], 'Determiner') || has(terms[i + 1], 'Possessive') || isCapitalised(terms[i + 1]))) && !/^to$/i.test(term.text) || /^to$/i.test(term.text) && !has(terms[i + 1], 'Verb')) {
      const phrase = breaksAfter(term) ? undefined : nounPhraseAt(terms, i + 1, limit);
      if (phrase && !phrase.pronoun) {
        part = { kind: 'preposition', from: i, to: phrase.to, phrase, preposition: term.text.toLowerCase() };
        // "between 2005 and 2010", "from 1870 to 1939": both ends belong to the phrase.
        const range = /^between$/i.test(term.text) ? /^and$/i : /^from$/i.test(term.text) ? /^(to|until|till)$/i : undefined;
        const second = range && range.test(terms[phrase.to]?.text ?? '') && !breaksAfter(terms[phrase.to - 1]!) ? nounPhraseAt(terms, phrase.to + 1, limit) : undefined;
        if (second) part = { ...part, to: second.to, phrase: { ...phrase, to: second.to } };
      }
    } else if (has(term, 'Adverb') && !has(term, 'Noun')) {
      part = { kind: 'adverb', from: i, to: i + 1 };
    } else {
      const phrase = nounPhraseAt(terms, i, limit);
      if (phrase && !phrase.pronoun) part = { kind: 'noun', from: i, to: phrase.to, phrase };
      // "became operational in 1969", "is strongest in inner Melbourne": an adjective right after the verb
      // that no noun follows, only a phrase of a preposition or the clause's end ("due to" gives a cause).
      else if (!phrase && isPredicateAdjective(terms, i, limit) && parts.every((one) => one.kind === 'adverb')) part = { kind: 'adjective', from: i, to: i + 1 };
    }
    if (!part && detached) break;
    if (!part) {
      // Something this reader does not take apart (a clause, "to" + verb): the rest stays as it is.
      let to = i + 1;
      while (to < limit && !breaksAfter(terms[to - 1]!)) to++;
      parts.push({ kind: 'other', from: i, to });
      break;
    }
    parts.push(detached ? { ...part, detached } : part);
    i = part.to;
  }
  return parts;
}

const isCapitalised = (term: Term | undefined) => term !== undefined && /^\p{Lu}/u.test(term.text);

/** Term `at` is an auxiliary or a form of "be" that can follow a subject ("were", "has"), maybe after adverbs. */
function sentenceVerbAt(terms: Term[], at: number): boolean {
  const verb = terms[adverbsFrom(terms, at, terms.length).to];
  if (!verb || !has(verb, 'Verb') || has(verb, 'Gerund')) return false;
  // (Only an auxiliary or "be": after a relative clause a past form may be the sentence's own verb,
  // "contingents who settled Normandy and parts of the coast included Danes".)
  return has(verb, 'Copula') || has(verb, 'Auxiliary') || has(verb, 'Modal');
}

/** Where a list that `first` opens ends ("Grissom, White, and Chaffee"): three alike phrases or more, the last after "and"; else where `first` ends. */
function listEnd(terms: Term[], first: NounPhrase, limit: number): number {
  let end = first.to;
  for (let items = 1; /^,\s*$/.test(terms[end - 1]?.after ?? ''); items++) {
    const last = /^(and|or)$/i.test(terms[end]?.text ?? '');
    const item = nounPhraseAt(terms, last ? end + 1 : end, limit);
    if (!item || item.pronoun || !isLike(terms, first, item)) return first.to;
    const joined = terms.slice(item.from, item.to).some((term) => /^(and|or)$/i.test(term.text));
    if ((last || joined) && items >= 2) return item.to;
    if (last || joined) return first.to;
    end = item.to;
  }
  return first.to;
}

/** A noun phrase at `i` followed by "and" or "or" (maybe after a comma): the next items of a list. */
function listGoesOn(terms: Term[], i: number, limit: number): boolean {
  const item = nounPhraseAt(terms, i, limit);
  if (!item || item.pronoun || has(terms[i], 'Preposition')) return false;
  const next = terms[item.to];
  const joined = terms.slice(item.from, item.to).some((term) => /^(and|or)$/i.test(term.text));
  return joined || (next !== undefined && /^(and|or)$/i.test(next.text) && (!breaksAfter(terms[item.to - 1]!) || /^,\s*$/.test(terms[item.to - 1]!.after)));
}

/**
 * Two noun phrases alike enough to be the two halves of "X and Y": both amounts or neither, both
 * names or neither ("88 tackles and Pro Bowl cornerback Josh Norman" begins the next clause's subject).
 */
function isLike(terms: Term[], first: NounPhrase, second: NounPhrase): boolean {
  const amount = (noun: NounPhrase) => has(terms[noun.from], 'Value') || opensAmount(terms, noun.from);
  return amount(first) === amount(second) && isCapitalised(terms[first.head]) === isCapitalised(terms[second.head]);
}

/** Term `i` is an adjective that says what the subject is, with at most a phrase of a preposition after it. */
function isPredicateAdjective(terms: Term[], i: number, limit: number): boolean {
  const term = terms[i]!;
  if (!has(term, 'Adjective') || has(term, 'Verb') || /^(due|according|prior|next|such)$/i.test(term.text)) return false;
  const next = terms[i + 1];
  return i + 1 >= limit || breaksAfter(term) || (has(next, 'Preposition') && !/^(than|as|of)$/i.test(next!.text));
}

/** Where a clause that begins at `from` ends: before a new clause, a bracket, a dash or a coordinated verb. */
function clauseEnd(terms: Term[], from: number, limit: number): number {
  for (let i = from; i < limit - 1; i++) {
    const term = terms[i]!;
    const next = terms[i + 1]!;
    if (/[;:()\u2013\u2014[\]]/.test(term.after) || /\s[-\u2013]\s/.test(term.after)) return i + 1;
    if (/,/.test(term.after) && (NEW_CLAUSE.has(next.text.toLowerCase()) || has(next, 'Gerund'))) return i + 1;
    if (/^(and|but|or)$/i.test(next.text) && has(terms[i + 2], 'Verb') && !has(terms[i + 2], 'Noun')) return i + 1;
  }
  return limit;
}

/** A finite verb inside the phrases after the verb, other than in "to go" or "that / which / who goes": a second clause. */
function hasSecondClause(terms: Term[], parts: Part[]): boolean {
  for (const part of parts) {
    if (part.kind === 'infinitive' || part.kind === 'means') continue;
    // "the optimizer that fine-tuning uses": a relative clause belongs to the noun before it.
    // ("an opinion that because the law ..." opens a clause of its own.)
    if (part.kind === 'other' && /^(that|which|who|whom|whose|where|when)$/i.test(terms[part.from]!.text) && !has(terms[part.from + 1], 'Conjunction')) continue;
    for (let i = part.from; i < part.to; i++) {
      const term = terms[i]!;
      if (!has(term, 'Verb') || has(term, 'Gerund') || has(term, 'Infinitive') && !has(term, 'PresentTense')) continue;
      if (!has(term, 'PastTense') && !has(term, 'PresentTense') && !has(term, 'Copula') && !has(term, 'Modal')) continue;
      const previous = terms[i - 1];
      if (previous && (/^(to|that|which|who|whom)$/i.test(previous.text) || has(previous, 'Auxiliary') || has(previous, 'Modal') || has(previous, 'Copula') || has(previous, 'Verb'))) continue;
      // "a body tasked with drafting ...", "a constitution enacted in 1975": a past form after a noun with a
      // preposition after it describes the noun; it is no verb of a clause.
      // (Only a form that can be a participle: in "the Treaties that form the Union began with" "began" is the verb.)
      // ("the main legislation previously agreed under ...", "a market originally built in 1808": an adverb may stand between.)
      const noun = previous && has(previous, 'Adverb') && /ly$/i.test(previous.text) ? terms[i - 2] : previous;
      if (noun && isNominal(noun) && !breaksAfter(noun) && !breaksAfter(previous!) && has(term, 'PastTense') && /(ed|en|wn|lt)$/i.test(term.text) && /^(with|by|in|for|from|as|at|on|to|under|during)$/i.test(terms[i + 1]?.text ?? '')) continue;
      return true;
    }
  }
  return false;
}

/** Prepositions the tagger sometimes reads as adjectives or verbs ("under the leadership of", "over the age of", "following the season"). */
const PREPOSITION_WORD = /^(over|under|against|across|along|around|behind|beyond|within|without|throughout|toward|towards|upon|onto|into|near|despite|following|during|until|via)$/i;

/** Words that open a subordinate clause inside a sentence ("before it continued into Russia"). */
const SUBORDINATOR_WORD = /^(before|after|until|till|when|while|because|since|although|though|whereas|unless|once|so|where|than)$/i;

const NEGATION = /^(not|never|cannot|can't|won't|no|n't|neither|nor)$|n't$/i;

/**
 * A clause whose verb group follows `adverbs` (the words between subject and verb, maybe none). With
 * `strict`, a lone past form followed by no object ("employed in the U.S.") is read as a participle,
 * not as a clause's verb.
 */
function clauseWith(sentence: Sentence, subject: NounPhrase, adverbs: Span, limit: number, relative: boolean, strict: boolean, fronted?: Span): Clause | undefined {
  const { terms } = sentence;
  const verb = verbAt(sentence, adverbs.to, limit);
  if (!verb || !isFinite(sentence, verb) || verb.negative) return undefined;
  const words = terms.slice(verb.from, verb.to);
  if (words.some((term) => NEGATION.test(term.text))) return undefined;
  // A name inside the verb group means the tagger took a noun for a verb.
  if (words.some((term) => has(term, 'ProperNoun') || has(term, 'Noun') && !has(term, 'Verb'))) return undefined;
  const end = clauseEnd(terms, verb.to - 1, limit);
  let parts = breaksAfter(terms[verb.to - 1]!) ? [] : partsAfter(terms, verb.to, end);
  // "ravaged Europe for three years before it continued into Russia": a clause that a subordinating word
  // opens after the phrases of the verb is left out, and those phrases stand.
  const second = parts.findIndex((part) => hasSecondClause(terms, [part]));
  if (second > 0 && SUBORDINATOR_WORD.test(terms[parts[second]!.from]!.text) && parts.slice(0, second).every((part) => part.kind !== 'other')) parts = parts.slice(0, second);
  if (hasSecondClause(terms, parts)) return undefined;
  const lonePast = verb.to - verb.from === 1 && has(terms[verb.from], 'PastTense') && verb.auxiliary === '' && !verb.copula;
  if (strict && lonePast && parts[0]?.kind !== 'noun') return undefined;
  // "data compiled by Nafzger": a lone past form before "by" is a participle.
  if (lonePast && /^by$/i.test(terms[verb.to]?.text ?? '')) return undefined;
  // "fossils thought to represent ctenophores": a participle before "to", not a clause's verb.
  if (lonePast && /^(thought|believed|said|considered|known|expected|supposed|reported|estimated|assumed|alleged|designed|used|made|intended|needed|required)$/i.test(terms[verb.from]!.text) && /^to$/i.test(terms[verb.to]?.text ?? '')) return undefined;
  return { sentence, subject, adverbs, verb, parts, relative, ...(fronted ? { fronted } : {}) };
}

/**
 * Where an aside between commas that starts at `from` ends (the term after its closing comma): a
 * participle or a phrase of a preposition with no finite verb inside ("remaining in black and white").
 */
function asideEnd(terms: Term[], from: number, limit: number): number | undefined {
  const first = terms[from];
  if (!first || !(has(first, 'Gerund') || has(first, 'Participle') || has(first, 'PastTense') || has(first, 'Preposition'))) return undefined;
  for (let k = from; k < limit - 1; k++) {
    const term = terms[k]!;
    if (k > from && has(term, 'Verb') && !has(term, 'Gerund') && !has(term, 'Participle') && (has(term, 'PresentTense') || has(term, 'Copula') || has(term, 'Modal'))) return undefined;
    if (/[;:()]/.test(term.after)) return undefined;
    if (/^,\s*$/.test(term.after)) return k + 1;
  }
  return undefined;
}

/** Adverbs from `from` on ("also", "often"), up to the first word that is not one. */
function adverbsFrom(terms: Term[], from: number, limit: number): Span {
  let to = from;
  while (to < limit && has(terms[to], 'Adverb') && !has(terms[to], 'Verb') && !NEGATION.test(terms[to]!.text) && !breaksAfter(terms[to]!)) to++;
  return { from, to };
}

/**
 * Where the phrases of a preposition after a noun end (at most `most` of them): "in Kraków", "at the
 * University of Paris", "for analyzing the performance of engines" (a gerund and its object).
 */
function phrasesAfter(terms: Term[], to: number, limit: number, most: number): number {
  for (let k = 0; k < most && to < limit && !breaksAfter(terms[to - 1]!) && has(terms[to], 'Preposition') && !/^(to|than|as|by)$/i.test(terms[to]!.text); k++) {
    const gerund = has(terms[to + 1], 'Gerund') && !breaksAfter(terms[to + 1]!) ? 1 : 0;
    const tail = nounPhraseAt(terms, to + 1 + gerund, limit);
    if (!tail || tail.pronoun) break;
    // (After a gerund's object only a clear verb ends the subject: in "a method of monitoring the carbon cycle" "cycle" is no verb.)
    const next = terms[tail.to];
    if (gerund && !(has(next, 'Copula') || has(next, 'Auxiliary') || has(next, 'Modal'))) break;
    to = tail.to;
  }
  return to;
}

/**
 * A clause whose subject is `subject`, when a finite verb follows it, maybe after adverbs ("also") or
 * an appositive between commas ("Their rivals, Polonia Warsaw, have ...", which is left out).
 */
function clauseAfter(sentence: Sentence, subject: NounPhrase, limit: number, relative: boolean, strict: boolean, fronted?: Span): Clause | undefined {
  const { terms } = sentence;
  // "The districts in Kraków do ...", "The basic unit of division in Poland is ...", "The instrument for
  // analyzing the performance of engines is ...": phrases after the subject's noun.
  subject = { ...subject, to: phrasesAfter(terms, subject.to, limit, 2) };
  // "Grissom, White, and Chaffee decided ...": a list of alike phrases is the subject.
  subject = { ...subject, to: listEnd(terms, subject, limit) };
  // ("Under TEU article 11 citizens ...": a preposition the tagger took for an adjective opens no subject.)
  if (PREPOSITION_WORD.test(terms[subject.from]!.text)) return undefined;
  // "Ctenophores and sponges are ...": two alike phrases joined by "and" before the verb.
  if (/^and$/i.test(terms[subject.to]?.text ?? '') && !breaksAfter(terms[subject.to - 1]!)) {
    const second = nounPhraseAt(terms, subject.to + 1, limit);
    const verb = second && !second.pronoun && isLike(terms, subject, second) && !breaksAfter(terms[second.to - 1]!) ? sentence.verbs.find((group) => group.from === adverbsFrom(terms, second.to, limit).to) : undefined;
    if (verb && isFinite(sentence, verb) && !has(terms[verb.from], 'Gerund')) subject = { ...subject, to: second!.to };
  }
  let from = subject.to;
  // "Jean Cauvin (John Calvin) converted ...": a bracket after the subject is left out.
  if (/\(\s*$/.test(terms[from - 1]!.after)) {
    let close = from;
    while (close < limit && !/\)/.test(terms[close]!.after)) close++;
    if (close >= limit - 1) return undefined;
    from = close + 1;
  }
  let appositive: NounPhrase | undefined;
  if (/^\)?,\s*$/.test(terms[from - 1]!.after)) {
    appositive = nounPhraseAt(terms, from, limit);
    // ("Jean Cauvin, another student at the University of Paris, converted ...": the appositive's own phrases go with it.)
    if (appositive && !appositive.pronoun) appositive = { ...appositive, to: phrasesAfter(terms, appositive.to, limit, 2) };
    if (appositive && /^,\s*$/.test(terms[appositive.to - 1]!.after)) {
      from = appositive.to;
    } else {
      // "The restored video, remaining in black and white, contains ...": a phrase between commas that
      // has no verb of its own (a participle may open it) is left out too.
      appositive = undefined;
      const close = asideEnd(terms, from, limit);
      if (close === undefined) return undefined;
      from = close;
    }
  }
  const clause = clauseWith(sentence, subject, adverbsFrom(terms, from, limit), limit, relative, strict, fronted);
  if (!clause && from === subject.to && !relative) {
    // "A Norman named Oursel led ...", "the expedition led by Jean de Bethencourt conquered ...": a
    // participle and its phrase describe the subject, and the clause's verb comes after them.
    const end = participlePhraseEnd(terms, from, limit);
    const described = end !== undefined ? clauseWith(sentence, { ...subject, to: end }, adverbsFrom(terms, end, limit), limit, relative, true, fronted) : undefined;
    return described ? { ...described, describedSubject: true } : undefined;
  }
  return clause && appositive ? { ...clause, appositive } : clause;
}

/** Where a participle phrase after a noun ends: "named Oursel", "led by the Norman noble Jean de Bethencourt and Gadifer de la Salle", "built in 1900". */
function participlePhraseEnd(terms: Term[], at: number, limit: number): number | undefined {
  const participle = terms[at];
  if (!participle || !has(participle, 'PastTense') || has(participle, 'Copula') || has(participle, 'Auxiliary') || breaksAfter(terms[at - 1]!) || breaksAfter(participle)) return undefined;
  let end: number;
  if (has(terms[at + 1], 'Preposition')) {
    const object = nounPhraseAt(terms, at + 2, limit);
    if (!object || object.pronoun) return undefined;
    end = object.to;
  } else {
    // "named Oursel": a name right after the participle.
    const name = nounPhraseAt(terms, at + 1, limit);
    if (!name || !isCapitalised(terms[name.head])) return undefined;
    end = name.to;
  }
  // "... Jean de Bethencourt and the Poitevine Gadifer de la Salle": a second name joined by "and".
  if (/^and$/i.test(terms[end]?.text ?? '') && !breaksAfter(terms[end - 1]!)) {
    const second = nounPhraseAt(terms, end + 1, limit);
    if (second && !second.pronoun) end = second.to;
  }
  return phrasesAfter(terms, end, limit, 1);
}

/**
 * The main clause of a segment: a noun phrase and a finite verb, maybe after leading adverbs ("Then")
 * or a fronted phrase with its comma ("In 1066,", "After the war,"), which questions may leave out.
 */
function mainClauseIn(sentence: Sentence, segment: Span): Clause | undefined {
  // After ", and" a list may go on ("..., and 1 million teachers employed in the U.S."): read strictly.
  const strict = segment.from > 0;
  const { terms } = sentence;
  const leading = adverbsFrom(terms, segment.from, segment.to);
  const start = SUBORDINATE_START.has(terms[segment.from]!.text.toLowerCase()) ? segment.from : leading.to;
  const subject = nounPhraseAt(terms, start, segment.to);
  const plain = subject ? clauseAfter(sentence, subject, segment.to, false, strict, start > segment.from ? { from: segment.from, to: start } : undefined) : undefined;
  if (plain) return plain;
  // The fronted phrase ends at the first comma that is followed by a subject and its verb.
  for (let i = segment.from; i < segment.to - 1; i++) {
    if (!/,/.test(terms[i]!.after)) continue;
    // ("Honda, Toyota and Nissan, ..., opened": after a name and its comma, a name goes on with a list.)
    if (isCapitalised(terms[i]) && i > segment.from && isCapitalised(terms[i + 1]) && !has(terms[i], 'Value') && listGoesOn(terms, i + 1, segment.to)) continue;
    // ("In 1466, perhaps 40,000 people died ...": an adverb before the subject is passed over.)
    const subject = nounPhraseAt(terms, adverbsFrom(terms, i + 1, segment.to).to, segment.to);
    const clause = subject ? clauseAfter(sentence, subject, segment.to, false, strict, { from: segment.from, to: i + 1 }) : undefined;
    if (clause) return clause;
  }
  // "In Hinduism the spiritual teacher is known as a guru": a phrase of a preposition without its comma.
  if (has(terms[segment.from], 'Preposition')) {
    let object = nounPhraseAt(terms, segment.from + 1, segment.to);
    // ("In 1891 Scottish chemist James Dewar was able ...": a year ends the phrase, the subject follows it.)
    const date = findEntities(sentence).find((entity) => entity.from === segment.from + 1 && entity.type === 'date');
    if (object && date && date.to < object.to) object = { ...object, to: date.to, head: date.to - 1 };
    const subject = object && !object.pronoun && !breaksAfter(terms[object.to - 1]!) ? nounPhraseAt(terms, object.to, segment.to) : undefined;
    if (subject) return clauseAfter(sentence, subject, segment.to, false, true, { from: segment.from, to: object!.to });
  }
  return undefined;
}

/**
 * "Kuechly led the team in tackles and intercepted four passes": the verb phrase after "and" is a
 * clause of the same subject.
 */
function coordinatedClause(sentence: Sentence, clause: Clause, limit: number): Clause | undefined {
  const { terms } = sentence;
  // After a phrase that goes on past "and" ("a mixture of acetylene and compressed ..."), "and" joins no verb;
  // after an auxiliary or "be", only a verb in the simple past ("was established in 1817 and continued
  // trading"), which cannot share the auxiliary ("has been developed and tested").
  const grouped = clause.verb.auxiliary !== '' || clause.verb.copula;
  if (clause.parts.at(-1)?.continued || grouped && /^(has|have|had|'s|'ve|'d)\b/i.test(clause.verb.auxiliary)) return undefined;
  const end = clause.parts.at(-1)?.to ?? clause.verb.to;
  const and = terms[end];
  if (!and || !/^(and|but)$/i.test(and.text) || /[;:()]/.test(terms[end - 1]!.after)) return undefined;
  const adverbs = adverbsFrom(terms, end + 1, limit);
  const next = clauseWith(sentence, clause.subject, adverbs, limit, clause.relative, !grouped, clause.fronted);
  // Only a verb of the same form ("led ... and intercepted"), so that the subject surely goes with both.
  if (!next || next.verb.past !== clause.verb.past || next.verb.auxiliary !== '' || next.verb.copula) return undefined;
  // (", and recommended": after a comma the verb may go with a subject further back.)
  // ("was compiled by Nafzger and assigned to Lowry Digital": after a passive, a past form with a
  // preposition right after it shares the "was".)
  if (grouped && clause.verb.auxiliary !== '' && (has(terms[next.verb.main + 1], 'Preposition') || /^(to|by|in|for|as|at|on|with|from|into)$/i.test(terms[next.verb.main + 1]?.text ?? ''))) return undefined;
  if (grouped && (!clause.verb.past || /,/.test(terms[end - 1]!.after) || !has(terms[next.verb.main], 'PastTense') || has(terms[next.verb.main], 'Participle') || next.parts.length === 0)) return undefined;
  return { ...next, coordinated: true };
}

/**
 * "Luther's writings circulated widely, reaching France ...": a participle after the comma that ends
 * a clause goes with the clause's subject, in the clause's tense.
 */
function participleClause(sentence: Sentence, clause: Clause, limit: number): Clause | undefined {
  const { terms } = sentence;
  const end = clause.parts.at(-1)?.to ?? clause.verb.to;
  if (end >= limit || !/^,\s*$/.test(terms[end - 1]!.after)) return undefined;
  let at = end;
  while (at < limit && /^(while|also|thus|thereby|then|eventually|later|subsequently)$/i.test(terms[at]!.text)) at++;
  const gerund = terms[at];
  // The tagger reads some of these as adjectives ("reaching London"); the -ing and what follows tell.
  const isGerund = gerund !== undefined && (has(gerund, 'Gerund') || /ing$/i.test(gerund.text) && has(gerund, 'Adjective') && (isNominal(terms[at + 1]) || has(terms[at + 1], 'Determiner')));
  if (!gerund || !isGerund || breaksAfter(gerund) || /^(including|according|following|regarding|concerning|excluding|depending|starting|beginning)$/i.test(gerund.text)) return undefined;
  let to = at + 1;
  while (to < limit && has(terms[to], 'Particle')) to++;
  const verb: VerbGroup = { from: at, to, main: at, auxiliary: '', copula: false, past: clause.verb.past, negative: false };
  const parts = partsAfter(terms, to, clauseEnd(terms, to - 1, limit));
  if (parts.length === 0 || hasSecondClause(terms, parts)) return undefined;
  return { sentence, subject: clause.subject, adverbs: { from: at, to: at }, verb, parts, relative: clause.relative, participle: true, ...(clause.subjectName ? { subjectName: clause.subjectName } : {}) };
}

/**
 * "The Broncos won the game by scoring 11 points": the -ing verb after "by" is a clause of the same
 * subject, in the clause's tense ("How many points did the Broncos score?").
 */
function meansClause(sentence: Sentence, clause: Clause): Clause | undefined {
  const { terms } = sentence;
  const means = clause.parts.find((part) => part.kind === 'means');
  // After a passive ("was demonstrated by burning ...") the one who does it is not the subject.
  const passive = terms.slice(clause.verb.from, clause.verb.to).some((term) => has(term, 'Passive') || has(term, 'Copula'));
  if (!means || means.continued || passive) return undefined;
  const at = means.from + 1;
  let to = at + 1;
  while (to < means.to && has(terms[to], 'Particle')) to++;
  const verb: VerbGroup = { from: at, to, main: at, auxiliary: '', copula: false, past: clause.verb.past, negative: false };
  const parts = partsAfter(terms, to, means.to);
  if (parts.length === 0 || hasSecondClause(terms, parts)) return undefined;
  return { sentence, subject: clause.subject, adverbs: { from: at, to: at }, verb, parts, relative: clause.relative, participle: true, ...(clause.subjectName ? { subjectName: clause.subjectName } : {}) };
}

/** Nouns for a person that are known by whom they belong to ("a student of Lefevre", "a member of Geordie"). */
const PERSON_OF = /^(student|students|member|members|son|sons|daughter|daughters|wife|husband|brother|sister|father|mother|friend|friends|pupil|pupils|disciple|disciples|follower|followers|leader|founder|president|director|descendant|descendants|colleague|professor|king|queen|emperor)$/i;

/** "X, who had five sacks" and "X which runs": clauses whose subject is the noun phrase before the pronoun. */
function relativeClauses(sentence: Sentence): Clause[] {
  const { terms } = sentence;
  const clauses: Clause[] = [];
  for (let i = 1; i < terms.length - 1; i++) {
    // "the bacteria that cause gas gangrene": "that" right before a verb stands for the noun before it.
    const that = /^that$/i.test(terms[i]!.text) && isNominal(terms[i - 1]) && !/,/.test(terms[i - 1]!.after) && has(terms[i + 1], 'Verb') && !has(terms[i + 1], 'Gerund');
    if (!/^(who|which)$/i.test(terms[i]!.text) && !that) continue;
    const before = terms[i - 1]!;
    if (/[;:()]/.test(before.after) || has(before, 'Preposition')) continue;
    // ", which" may stand for the whole clause before or for any noun in it; only "who" and a "which" without a comma are read.
    if (/^which$/i.test(terms[i]!.text) && /,/.test(before.after)) continue;
    // The longest noun phrase that ends right before the pronoun and starts at a phrase boundary, but
    // the one after "of" when there is one ("the family name of the Roman Emperor Hadrian, who founded
    // it", "the exception of the timber roof which was destroyed").
    let antecedent: NounPhrase | undefined;
    for (let from = Math.max(0, i - 10); from < i; from++) {
      const previous = terms[from - 1];
      const afterOf = /^of$/i.test(previous?.text ?? '');
      const boundary = !previous || breaksAfter(previous) || has(previous, 'Preposition') && !/^of$/i.test(previous.text) || afterOf || has(previous, 'Verb') || has(previous, 'Conjunction');
      const phrase = boundary ? nounPhraseAt(terms, from, i) : undefined;
      // ("a student of Lefevre who went on to ...": after a noun for a person, "who" is that person, whom
      // the clause does not name; it is left unread.)
      if (afterOf && antecedent !== undefined && /^(who|whom)$/i.test(terms[i]!.text) && (has(terms[from - 2], 'Actor') || PERSON_OF.test(terms[from - 2]?.text ?? ''))) {
        antecedent = undefined;
        break;
      }
      if (phrase && phrase.to === i && !phrase.pronoun && (antecedent === undefined || afterOf)) antecedent = phrase;
    }
    if (!antecedent) continue;
    // A "that" after a phrase of a preposition ("woodcuts by Lucas Cranach that contained ...") may stand
    // for either noun: only an object or a subject is taken ("the freeway that connects ...").
    const opener = terms[antecedent.from - 1];
    if (that && opener && !has(opener, 'Verb') && !breaksAfter(opener) || that && terms.slice(antecedent.from, antecedent.to).some((term) => /^of$/i.test(term.text))) continue;
    const clause = clauseWith(sentence, antecedent, adverbsFrom(terms, i + 1, terms.length), terms.length, true, false);
    if (clause) clauses.push(clause);
  }
  return clauses;
}

/** Words after which a subordinate clause begins ("because the lab hired ...", "said that the court ..."). */
const CLAUSE_OPENER = /^(when|because|although|though|while|whereas|after|before|since|that|as|once|until|unless|where)$/i;

/**
 * Clauses inside a sentence that none of the segments starts with: a noun phrase and a finite verb
 * after a comma or a word that opens a clause ("..., although several players dove into the pile").
 */
function embeddedClauses(sentence: Sentence, taken: Set<number>): Clause[] {
  const { terms } = sentence;
  const clauses: Clause[] = [];
  for (let i = 1; i < terms.length - 1; i++) {
    const previous = terms[i - 1]!;
    if (!(/,/.test(previous.after) || CLAUSE_OPENER.test(previous.text))) continue;
    // ("Honda, Toyota and Nissan, ..., opened": after a name and its comma, a name goes on with a list.)
    if (/,/.test(previous.after) && isCapitalised(previous) && isCapitalised(terms[i]) && !has(previous, 'Value') && listGoesOn(terms, i, terms.length)) {
      const item = nounPhraseAt(terms, i);
      i = item ? item.to - 1 : i;
      continue;
    }
    // "the method that offices use": after a noun, "that" opens a clause with a gap where its object was.
    if (/^that$/i.test(previous.text) && !has(terms[i - 2], 'Verb')) continue;
    // ("the area later known as Victoria was established": after "known as" comes a name, not a clause.)
    if (/^as$/i.test(previous.text) && /^(known|called|named|referred|described|regarded|designated|titled)$/i.test(terms[i - 2]?.text ?? '')) continue;
    const subject = nounPhraseAt(terms, i);
    if (!subject) continue;
    const clause = clauseAfter(sentence, subject, terms.length, false, true);
    if (!clause || taken.has(clause.verb.from)) continue;
    taken.add(clause.verb.from);
    clauses.push(clause);
  }
  return clauses;
}

const parsedClauses = new WeakMap<Sentence, Clause[]>();

/** Every clause of a sentence that is simple enough to turn into questions (read once per sentence). */
export function clausesOf(sentence: Sentence): readonly Clause[] {
  let clauses = parsedClauses.get(sentence);
  if (!clauses) {
    clauses = readClauses(sentence);
    parsedClauses.set(sentence, clauses);
  }
  return clauses;
}

/** True when term `i` stands inside brackets ("(see World's busiest airports ...)"). */
function inBrackets(terms: Term[], i: number): boolean {
  const count = (text: string, bracket: RegExp) => text.match(bracket)?.length ?? 0;
  let depth = count(terms[0]!.pre, /\(/g);
  for (let k = 0; k < i; k++) depth += count(terms[k]!.after, /\(/g) - count(terms[k]!.after, /\)/g);
  return depth > 0;
}

function readClauses(sentence: Sentence): Clause[] {
  return collectClauses(sentence).filter((clause) => !inBrackets(sentence.terms, clause.verb.from));
}

function collectClauses(sentence: Sentence): Clause[] {
  const clauses: Clause[] = [];
  const add = (clause: Clause, limit: number) => {
    clauses.push(clause);
    const next = coordinatedClause(sentence, clause, limit);
    if (next) clauses.push(next);
    const participle = participleClause(sentence, next ?? clause, limit);
    if (participle) clauses.push(participle);
    // ("gave up just 308 points, ranking sixth in the league, while also leading the NFL in interceptions": a second participle.)
    const second = participle && participleClause(sentence, participle, limit);
    if (second) clauses.push(second);
    for (const one of [clause, next, participle, second]) {
      const means = one && meansClause(sentence, one);
      if (means) clauses.push(means);
    }
  };
  for (const segment of segments(sentence)) {
    const clause = mainClauseIn(sentence, segment);
    if (clause) add(clause, segment.to);
  }
  for (const clause of relativeClauses(sentence)) add(clause, sentence.terms.length);
  const taken = new Set(clauses.map((clause) => clause.verb.from));
  for (const clause of embeddedClauses(sentence, taken)) add(clause, sentence.terms.length);
  return clauses;
}

/** True when a subject names something definite enough to ask about ("the lab", "Rollo"; not "this", "it"). */
export function isSpecific(terms: Term[], phrase: NounPhrase): boolean {
  if (phrase.pronoun) return false;
  const words = terms.slice(phrase.from, phrase.to);
  if (VAGUE.test(words[0]!.text) && !(words.length > 1 && /^(this|that|these|those)$/i.test(words[0]!.text) && has(words[1], 'ProperNoun'))) return false;
  return !(words.length === 1 && VAGUE.test(words[0]!.text));
}

/** Readable text of terms [from, to) as written (inner punctuation kept, outer quotes and commas dropped). */
export function phrase(context: PassageContext, terms: Term[], from: number, to: number): string {
  if (to <= from) return '';
  const text = context.words(terms[from]!.start, terms[to - 1]!.end).replace(/^["'\u201c\u2018]+|["'\u201d\u2019,;:.]+$/g, '');
  // 'a force of "Franks': a quotation cut at the phrase's end loses its marks rather than stay open.
  const open = (text.match(/"/g) ?? []).length % 2 === 1 || (text.match(/\u201c/g) ?? []).length !== (text.match(/\u201d/g) ?? []).length;
  return open ? text.replace(/["\u201c\u201d]/g, '') : text;
}

/** Text of the parts before the first comma, leaving out those in `omit`. */
export function partsText(context: PassageContext, clause: Clause, omit: readonly Part[] = []): string {
  return clause.parts.filter((part) => !part.detached && !omit.includes(part)).map((part) => phrase(context, clause.sentence.terms, part.from, part.to)).join(' ');
}

/** The subject as it reads inside a question: its first word lower-cased only when it opened the sentence and is an ordinary word. */
export function subjectText(context: PassageContext, clause: Clause): string {
  if (clause.subjectName !== undefined) return clause.subjectName;
  const { terms } = clause.sentence;
  const text = phrase(context, terms, clause.subject.from, clause.subject.to);
  const first = terms[clause.subject.from]!;
  const isName = ['ProperNoun', 'Person', 'Place', 'Organization', 'Acronym'].some((tag) => first.tags.has(tag));
  // (A subject opens the sentence, or what follows a colon: "Role of IFITM5: The expression of IFITM5 is ...".)
  const opens = clause.subject.from === 0 || /:\s*$/.test(terms[clause.subject.from - 1]!.after);
  if (!opens || isName) return text;
  // ("Successful detection of viral pathogens requires ...": an adjective that opens the sentence is an ordinary word.)
  const ordinary = first.tags.has('Adjective') && !first.tags.has('Demonym') && isCapitalisedWord(first.text) && !/^\s*\p{Lu}/u.test(text.slice(first.text.length));
  return ordinary ? first.text.toLowerCase() + text.slice(first.text.length) : context.casing.inside(text);
}

/** The fronted phrase ("In 1066,") as a trailing phrase of a question ("in 1066"), when it is a short phrase of a preposition. */
export function frontedText(context: PassageContext, clause: Clause): string {
  if (!clause.fronted) return '';
  const { terms } = clause.sentence;
  const { from, to } = clause.fronted;
  if (to - from > 6 || !has(terms[from], 'Preposition') || /^(although|though|while|when|because|since|if|after|before|as|once|unless|despite|like|unlike)$/i.test(terms[from]!.text)) return '';
  if (terms.slice(from, to - 1).some(breaksAfter) || !nounPhraseAt(terms, from + 1, to)) return '';
  return context.casing.inside(phrase(context, terms, from, to));
}

/** True for "is / are / was / were" standing alone as the verb. */
export function isPlainCopula(clause: Clause): boolean {
  return clause.verb.copula && clause.verb.to - clause.verb.from === 1;
}

const BE_SINGULAR: Record<string, string> = { are: 'is', were: 'was', have: 'has', do: 'does', "'re": 'is' };

/**
 * The verb group with a wh-phrase as its subject. "What" and "who" take the singular ("The engines
 * produce power" → "What produces power?", "were defeated" → "was defeated"), except "be" before a
 * plural noun ("What were the causes ...?"); a wh-phrase with its noun ("Which engines", `keepNumber`)
 * keeps the verb's number. Tense stays as written; a participle clause gets its clause's tense
 * ("reaching" → "reached"), an emphatic "did receive" becomes "received".
 */
export function verbForWhSubject(context: PassageContext, clause: Clause, keepNumber = false): string | undefined {
  const { terms } = clause.sentence;
  const text = phrase(context, terms, clause.verb.from, clause.verb.to);
  const [first = '', ...rest] = text.split(' ');
  const lower = first.toLowerCase();
  if (clause.participle) {
    const forms = verbForms(first);
    const form = clause.verb.past ? forms?.PastTense : keepNumber && isPlural(terms, clause.subject) ? forms?.Infinitive : forms?.PresentTense;
    return form ? [form, ...rest].join(' ') : undefined;
  }
  if (/^(do|does|did)$/.test(lower) && clause.verb.main > clause.verb.from) {
    const main = verbForms(terms[clause.verb.main]!.text);
    const form = lower === 'did' ? main?.PastTense : keepNumber && lower === 'do' ? main?.Infinitive : main?.PresentTense;
    return form ? [form, ...terms.slice(clause.verb.main + 1, clause.verb.to).map((term) => term.text)].join(' ') : undefined;
  }
  if (keepNumber) return text;
  if (BE_SINGULAR[lower] !== undefined) {
    const predicate = clause.parts[0]?.kind === 'noun' ? clause.parts[0].phrase : undefined;
    if ((lower === 'are' || lower === 'were') && predicate && isPlural(terms, predicate)) return text;
    return [BE_SINGULAR[lower], ...rest].join(' ');
  }
  // A present form that is not the third person singular ("produce", "lag") becomes it ("produces").
  const head = terms[clause.verb.from]!;
  if (clause.verb.auxiliary === '' && !clause.verb.copula && has(head, 'PresentTense') && !has(head, 'PastTense') && !/[^s]s$/i.test(first)) {
    const conjugated = verbForms(first)?.PresentTense;
    if (conjugated) return [conjugated, ...rest].join(' ');
  }
  return text;
}

/**
 * The clause in question order behind a wh-phrase, with `rest` after the verb: "the Normans gave their
 * name" → "did the Normans give their name"; "was coined" → "was the name coined"; "has also won" →
 * "has the team also won". Undefined when the verb group cannot be inverted.
 */
export function invert(context: PassageContext, clause: Clause, rest: string): string | undefined {
  const { terms } = clause.sentence;
  const { verb } = clause;
  const subject = subjectText(context, clause);
  const adverbs = phrase(context, terms, clause.adverbs.from, clause.adverbs.to);
  const verbWords = phrase(context, terms, verb.from, verb.to).split(' ');
  if (verb.auxiliary !== '' || verb.copula) {
    // The first auxiliary (or the copula) moves before the subject; the rest of the group stays.
    const [first, ...remainder] = verbWords;
    return [first!.toLowerCase(), subject, adverbs, ...remainder, rest].filter(Boolean).join(' ');
  }
  const main = terms[verb.main]!;
  if (!clause.participle && !has(main, 'PastTense') && !has(main, 'PresentTense')) return undefined;
  const auxiliary = verb.past ? 'did' : isPlural(terms, clause.subject) ? 'do' : 'does';
  const particles = verbWords.slice(verb.main - verb.from + 1);
  const infinitive = infinitiveOf(main.text);
  if (!infinitive) return undefined;
  return [auxiliary, subject, adverbs, infinitive.toLowerCase(), ...particles, rest].filter(Boolean).join(' ');
}

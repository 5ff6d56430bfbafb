import type { Term } from './nlp';

/** A noun phrase: terms [from, to) of a sentence, with the index of its head noun. */
export interface NounPhrase {
  from: number;
  to: number;
  head: number;
  /** One pronoun ("it", "they", "which"): a phrase that points elsewhere and names nothing. */
  pronoun: boolean;
}

/** Punctuation after a term that closes a phrase: commas, brackets, quotes, dashes, a sentence end. */
export function breaksAfter(term: Term): boolean {
  // The period of an initial or an abbreviation ("William E. Simon", "Dr. Smith") ends nothing.
  let after = /^(\p{Lu}|Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Col|Lt|Sgt|Rev|Mt|Ft|No|vs|etc|approx|ca|c)$/u.test(term.text) ? term.after.replace(/^\./, '') : term.after;
  // A word in quotes of its own ('a force of "Franks" into') goes on with the phrase around it.
  if (/^["\u201c]$/.test(term.pre.trim()) && /^["\u201d]\s+$/.test(after)) after = ' ';
  return /[,;:()\u2013\u2014"\u201c\u201d[\]!?]|\.\s|\.$/.test(after) || /\s[-\u2013]\s/.test(after);
}

const FUNCTION_WORD = /^(of|the|and|or|a|an|in|on|at|for|to|by|with|from|as|than)$/;
const RELATIVE = /^(who|whom|whose|which|that|what|where|when|why|how)$/i;
/** Words before a number that belong to the amount ("over 14,000", "about 40"). */
const AMOUNT_LEAD = /^(about|around|over|nearly|almost|approximately|roughly|just|only|some|under|circa)$/i;
const AMOUNT_LEAD_PAIR = /^(more|less|fewer|at|up) (than|least|to)$/i;

const has = (term: Term | undefined, tag: string) => term !== undefined && term.tags.has(tag);

/** Term `i` opens an amount: "over 14,000", "more than 40", "about 5". */
export function opensAmount(terms: Term[], i: number): boolean {
  const first = terms[i];
  if (!first || breaksAfter(first)) return false;
  if (AMOUNT_LEAD.test(first.text)) return has(terms[i + 1], 'Value');
  return AMOUNT_LEAD_PAIR.test(`${first.text} ${terms[i + 1]?.text ?? ''}`) && has(terms[i + 2], 'Value');
}

/** A word that names something (a noun, a name, a number), so it can end a noun phrase. */
export function isNominal(term: Term | undefined): boolean {
  // Compromise tags the "of" of "city of Wittenberg" as part of a place; it is still a preposition.
  if (!term || FUNCTION_WORD.test(term.text) || has(term, 'Pronoun') || RELATIVE.test(term.text) || has(term, 'Preposition') || has(term, 'Conjunction') || has(term, 'Determiner')) return false;
  if (has(term, 'Verb') && !has(term, 'Noun')) return false;
  return ['Noun', 'ProperNoun', 'Value', 'Acronym', 'Place', 'Person', 'Organization'].some((tag) => has(term, tag));
}

/** A word that may stand before the head inside a noun phrase ("defensive", "Pro", "2015", "Denver's"). */
function isModifier(terms: Term[], i: number): boolean {
  const term = terms[i]!;
  if (FUNCTION_WORD.test(term.text) || RELATIVE.test(term.text) || has(term, 'Pronoun') || has(term, 'Preposition') || has(term, 'Conjunction')) return false;
  if (has(term, 'Adjective') || isNominal(term)) return true;
  // "a decidedly Calvinistic influence", "the most successful indicator", "a further right": a degree word before an adjective or noun.
  const next = terms[i + 1];
  if (has(term, 'Adverb') && !breaksAfter(term) && (/^\p{Ll}+ly$|^(most|more|less|least|very|further)$/u.test(term.text)) && next !== undefined && (has(next, 'Adjective') || has(next, 'ProperNoun') && /(ic|al|an|ist)$/.test(next.text) && isNominal(terms[i + 2]) || /^further$/i.test(term.text) && isNominal(next))) return true;
  // "the starting linebackers", "four forced fumbles": a participle after a determiner or a number, before a noun, describes it.
  const previous = terms[i - 1];
  const opens = previous !== undefined && (isDeterminer(previous) || has(previous, 'Value')) && !breaksAfter(previous);
  return opens && (has(term, 'Gerund') || has(term, 'Participle') || has(term, 'PastTense')) && isNominal(terms[i + 1]) && !breaksAfter(term);
}

/** A determiner or a possessive pronoun that opens a noun phrase ("the", "their"), but not "which". */
function isDeterminer(term: Term): boolean {
  if (RELATIVE.test(term.text)) return false;
  return has(term, 'Determiner') || (has(term, 'Possessive') && has(term, 'Pronoun'));
}

/**
 * The noun phrase that starts at term `from` and ends before `limit`, read from the tags: an optional
 * determiner or amount word, modifiers, a head noun, then "of" phrases ("the theory of computation")
 * and names joined by "and" ("Thomas Davis and Luke Kuechly"). Undefined when no noun phrase starts there.
 */
export function nounPhraseAt(terms: Term[], from: number, limit = terms.length): NounPhrase | undefined {
  const first = terms[from];
  if (!first || from >= limit) return undefined;
  if (has(first, 'Pronoun') && !has(first, 'Possessive')) {
    return { from, to: from + 1, head: from, pronoun: true };
  }
  if (RELATIVE.test(first.text)) return undefined;
  let i = from;
  if (isDeterminer(first)) {
    if (breaksAfter(first)) return undefined;
    i++;
  } else if (opensAmount(terms, from)) {
    i += AMOUNT_LEAD.test(first.text) ? 1 : 2;
  }
  let head = -1;
  while (i < limit && isModifier(terms, i)) {
    // A number after a noun labels it ("Act 1855", "Super Bowl 50"); the noun stays the head.
    if (isNominal(terms[i]) && !(has(terms[i], 'Value') && head >= 0 && !has(terms[head], 'Value'))) head = i;
    if (breaksAfter(terms[i]!)) {
      i++;
      break;
    }
    i++;
  }
  if (head < 0) return undefined;
  // The phrase ends at its last noun; trailing adjectives belong to what follows.
  let to = head + 1;
  if (to < i && terms.slice(to, i).some((term) => isNominal(term))) to = i;
  // "both inflationary and deflationary impacts": the phrase goes on after "and"; where it ends is unknown.
  if (/^(and|or)$/i.test(terms[to]?.text ?? '') && has(terms[to - 1], 'Adjective') && !breaksAfter(terms[to - 1]!)) return undefined;
  // "Melbourne's working class suburbs": a possessive owns what follows, so the phrase does not end there.
  if (/['\u2019]s?$/.test(terms[to - 1]!.text) && to < limit && !breaksAfter(terms[to - 1]!) && ['Gerund', 'Adjective', 'Noun'].some((tag) => has(terms[to], tag))) return undefined;
  const phrase: NounPhrase = { from, to, head, pronoun: false };
  // "of" phrases and "X and Y" between names extend the phrase; the head stays the first noun's.
  const last = terms[to - 1]!;
  const next = terms[to];
  if (next && !breaksAfter(last) && to + 1 < limit) {
    if (/^of$/i.test(next.text)) {
      const tail = nounPhraseAt(terms, to + 1, limit);
      if (tail && !tail.pronoun) phrase.to = tail.to;
    } else if (/^(and|&)$/.test(next.text) && /^\p{Lu}/u.test(last.text)) {
      const tail = nounPhraseAt(terms, to + 1, limit);
      if (tail && !tail.pronoun && /^\p{Lu}/u.test(terms[tail.head]!.text) && /^\p{Lu}/u.test(terms[tail.from]!.text)) phrase.to = tail.to;
    }
  }
  return phrase;
}

/** True when terms [from, to) are exactly one noun phrase. */
export function isNounPhrase(terms: Term[], from: number, to: number): boolean {
  return nounPhraseAt(terms, from, to)?.to === to;
}

/** True when a noun phrase is plural ("the engines", "Thomas Davis and Luke Kuechly"). */
export function isPlural(terms: Term[], phrase: NounPhrase): boolean {
  if (terms.slice(phrase.from, phrase.to).some((term, k) => k > 0 && /^(and|&)$/.test(term.text) && phrase.from + k > phrase.head)) return true;
  const head = terms[phrase.head]!;
  if (phrase.pronoun) return /^(they|we|you|i|these|those)$/i.test(head.text);
  // "the Broncos", "the Normans": a name in -s after "the" names a group ("Davis" alone does not).
  const groupName = /^the$/i.test(terms[phrase.from]!.text) && phrase.head === phrase.to - 1 && /^\p{Lu}\p{Ll}+[^su]s$/u.test(head.text);
  // "several species", "most species": the quantifier tells the number that the noun does not.
  const first = terms[phrase.from]!.text;
  const counted = /^(many|several|both|few)$/i.test(first) || /^(most|all|some)$/i.test(first) && /s$/i.test(head.text);
  return has(head, 'Plural') || groupName || counted || (has(head, 'Value') && !/^(one|1)$/i.test(head.text) && !has(head, 'Noun'));
}

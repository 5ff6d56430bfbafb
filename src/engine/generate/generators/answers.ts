import type { Entity, EntityType, Sentence, Term } from '../nlp';
import { breaksAfter, isNominal, isPlural, opensAmount, type NounPhrase } from '../phrases';
import { phrase, type Span } from './clause';
import type { PassageContext } from './context';

// What a noun phrase gives as an answer (its kind, its span, whether it names a person, the category a
// "which" may name) and the wh-phrase that asks for it, for the question forms of wh.ts.
/** What an answer is: a typed entity, a plain noun phrase, or the predicate that defines the subject. */
export type AnswerKind = EntityType | 'phrase' | 'definition';

export const has = (term: Term | undefined, tag: string) => term !== undefined && term.tags.has(tag);

/** How sure each answer kind's questions are before the question's length is counted. */
export const BASE_CONFIDENCE: Record<AnswerKind, number> = {
  date: 0.65, person: 0.6, count: 0.6, money: 0.6, percent: 0.6, duration: 0.55, place: 0.55, organization: 0.5, name: 0.5, number: 0.4, phrase: 0.45, definition: 0.6,
};

/**
 * An answer inside a noun phrase: its kind, its terms, and what a question may name of it: for a count
 * the counted noun ("engineers"), for a named thing its category ("protocols" of "the DECnet
 * protocols", "defensive end" of "defensive end Jared Allen", "age" of "age 38").
 */
export interface Answer extends Span {
  kind: AnswerKind;
  person: boolean;
  plural: boolean;
  counted?: Span;
  category?: Span;
  /** The answer is the number after its category ("age 38"): asked "what age", not "which age". */
  measured?: boolean;
  /** The category is the name's own head ("Game" of "the AFC Championship Game"), asked in lower case. */
  named?: boolean;
}

const VAGUE_ANSWER = /^(this|that|these|those|its|their|his|her|our|my|your|others?|some|many|most|several|such|same|former|latter|it|them|both|all|each|nothing|something|anything|everything|none|ours|yours|theirs|mine|hers|more|less|fewer)$/i;
/** Nouns for people that the tagger does not mark as such ("environmentalists", "inhabitants"). */
const PERSON_NOUN = /^(\p{Ll}+(ists?|ians?)|people|persons?|men|women|children|inhabitants|residents|citizens|settlers|immigrants|emigrants|members|workers|players|soldiers|troops|officials|leaders|students|pupils|teachers|scholars|scientists|researchers|authors|writers|artists|farmers|merchants|monks|priests|nobles|peasants|slaves|refugees|voters|users|patients|individuals|adults|volunteers|participants|employees|staff|descendants|ancestors|followers|supporters|opponents|rivals|fans|crew|astronauts|engineers|designers|founders|owners)$/u;
export const PERSON_TAGS = ['Person', 'FirstName', 'LastName', 'MaleName', 'FemaleName'];
/** Heads that measure or sort rather than name ("half of the rainforests", "a form of anthrax"): no "which half". */
const PARTITIVE = /^(half|part|parts|number|majority|minority|most|percent|amount|lot|lots|kind|kinds|type|types|sort|form|forms|way|ways|one|piece|rest|set|series|group|range|variety|share|portion|fraction|total|sum|example|examples|case|cases|instance|end|beginning|start|middle|top|bottom|side|front|back|edge|area|level|use|name)$/i;
/** Heads of names that say what kind of thing the name names ("the AFC Championship Game" → "which game"). */
const CATEGORY_NOUN = /^(Game|Championship|Cup|League|Party|Company|Corporation|University|College|School|Academy|Museum|Gallery|River|Lake|Mountains?|Park|Street|Avenue|Road|Bridge|Station|Airport|Church|Cathedral|Abbey|Castle|Palace|Treaty|Act|Convention|Agreement|Directive|Regulation|Court|Council|Parliament|Assembly|Committee|Commission|Bank|Exchange|Institute|Society|Association|Union|Army|Navy|War|Battle|Award|Prize|Theatre|Theater|Hotel|Market|Tower|Hall|Square|Island|County|Province|District|Region|Valley|Desert|Forest|Ocean|Sea|Bay|Canal|Highway|Freeway|Route|Boulevard|Protocol|Program|Programme|Mission|Project|Festival|Orchestra|Club|Magazine|Newspaper|Journal|Channel|Hospital|Prison|Temple|Dynasty|Empire|Kingdom|Republic|Movement|Revolution|Uprising|Conference|Summit|Declaration|Constitution|Charter|Doctrine|Theorem|Law|Principle|Library|Stadium|Arena|Centre|Center|Foundation|Agency|Department|Ministry|Office|Service|Fund|Trust|Group|Network|Satellite|Spacecraft|Rocket|Ship)$/;
/** Lower-case words inside names ("Gadifer de la Salle"), which are no titles. */
const NAME_PARTICLE = /^(de|la|le|du|da|di|del|della|van|von|der|den|al|el|bin|ibn|y|of|the|and)$/i;
export const AMOUNT_WORD = /^(about|around|over|nearly|almost|approximately|roughly|just|only|some|more|less|fewer|than|at|least|up|to|under)$/i;
export const isCapitalised = (term: Term | undefined) => term !== undefined && /^\p{Lu}/u.test(term.text);

/**
 * True when a noun phrase names or describes a person: a known first or last name, a title before a
 * name ("emperor Henry III", "cornerback Josh Norman"), or a head noun for people ("the engineers").
 */
export function namesPerson(terms: Term[], noun: NounPhrase): boolean {
  const words = terms.slice(noun.from, noun.to);
  const head = terms[noun.head]!;
  if (has(head, 'Organization') || has(head, 'Place')) return false;
  if (PERSON_TAGS.some((tag) => has(head, tag))) return true;
  // The tagger calls some abstract nouns actors ("population"): their endings tell them apart. A
  // noun for people that opens the sentence ("Students thronged ...") is still a common noun.
  const actor = (term: Term) => has(term, 'Actor') && !/(ion|ity|ment|ness|ance|ence|ship|ure|age|ism)s?$/i.test(term.text);
  const common = (term: Term) => !has(term, 'ProperNoun') && (actor(term) || PERSON_NOUN.test(term.text.toLowerCase())) && (!isCapitalised(term) || term === terms[0]);
  if (common(head)) return true;
  const title = words.findIndex((term) => common(term) && !isCapitalised(term));
  return title >= 0 && noun.from + title < noun.head && isCapitalised(head);
}

/**
 * The category a question may name in "which ...": for a common noun after a name or a number, the
 * noun ("the DECnet protocols" → "protocols"); for a title and a name, the title ("defensive end
 * Jared Allen" → "defensive end", and the answer is the name); for a number after its noun, the noun
 * ("age 38" → "what age", and the answer is the number).
 */
function categoryOf(context: PassageContext, terms: Term[], noun: NounPhrase, from: number): { category: Span; answer: Span; measured?: boolean; named?: boolean } | undefined {
  const head = terms[noun.head]!;
  const common = (term: Term) => !isCapitalised(term) && isNominal(term) && !has(term, 'Value');
  if (common(head)) {
    // "at age 38", "on page 12": the number is the answer, the noun its category ("at what age").
    const label = noun.to > noun.head + 1 && terms.slice(noun.head + 1, noun.to).every((term) => has(term, 'Value') && !has(term, 'Date'));
    if (label) return { category: { from: noun.head, to: noun.head + 1 }, answer: { from: noun.head + 1, to: noun.to }, measured: true };
    if (PARTITIVE.test(head.text)) return undefined;
    let start = noun.head;
    while (start - 1 >= from && common(terms[start - 1]!) && !has(terms[start - 1], 'Possessive')) start--;
    // The answer must tell more than the category, by a name or a number right before it ("Norman
    // mercenaries"), with nothing after it. A capital that only opens the sentence ("Gradient
    // accumulation") tells nothing; nor does "one".
    const name = (term: Term, index: number) => isCapitalised(term) && !(index === 0 && (!has(term, 'ProperNoun') || context.casing.isCommonWord(term.text)));
    const number = (term: Term) => has(term, 'Value') && !has(term, 'Ordinal') && !/^(one|1)$/i.test(term.text);
    const telling = start > from && terms.slice(from, start).every((term, k) => name(term, from + k) || number(term)) && noun.to === noun.head + 1;
    if (!telling || noun.head + 1 - start > 2) return undefined;
    if (terms.slice(from, start).some((term) => has(term, 'Pronoun') || has(term, 'Possessive'))) return undefined;
    return { category: { from: start, to: noun.head + 1 }, answer: { from, to: noun.to } };
  }
  let name = noun.head;
  while (name - 1 >= from && isCapitalised(terms[name - 1])) name--;
  const title = terms[name - 1];
  // "the AFC Championship Game", "the University of Paris": a name whose head is the kind of thing it names ("which game").
  // (Not "the Supreme Court of the United States decision", whose head comes after the name.)
  const joined = terms.slice(from, noun.to).some((term) => /^(and|&)$/i.test(term.text));
  if (name === from && noun.to - from >= 2 && CATEGORY_NOUN.test(head.text) && !has(head, 'Plural') && isCapitalised(terms[noun.to - 1]) && !joined) {
    return { category: { from: noun.head, to: noun.head + 1 }, answer: { from, to: noun.to }, named: true };
  }
  if (name === from || !title || !common(title) || has(title, 'Possessive') || NAME_PARTICLE.test(title.text)) return undefined;
  if (terms.slice(from, name).some((term) => has(term, 'Pronoun') || has(term, 'Value') || has(term, 'Verb'))) return undefined;
  return { category: { from, to: name }, answer: { from: name, to: noun.to } };
}

/** The answer a noun phrase gives: the entity it is, or the phrase itself; a leading "the" is left out. */
/** Nouns whose plural is their singular ("three species"). */
const SAME_IN_PLURAL = /^(species|series|people|aircraft|sheep|fish|deer|offspring|cattle|personnel)$/i;

export function answerOf(context: PassageContext, sentence: Sentence, entities: Entity[], noun: NounPhrase): Answer | undefined {
  const { terms } = sentence;
  // ("both BSkyB and Virgin Media": the answer is the two names, without "both".)
  const paired = /^(both|either)$/i.test(terms[noun.from]!.text) && terms.slice(noun.from + 1, noun.to).some((term) => /^(and|or)$/i.test(term.text));
  const from = /^(the|a|an)$/i.test(terms[noun.from]!.text) || paired ? noun.from + 1 : noun.from;
  if (from >= noun.to) return undefined;
  // "these blades", "their rivals", "others": an answer that points elsewhere names nothing by itself
  // ("more than 40 engineers" is an amount).
  if (VAGUE_ANSWER.test(terms[from]!.text) && !opensAmount(terms, from)) return undefined;
  // "William E": a name cut at an initial; "places where the environment": a clause inside.
  if (/^\p{Lu}$/u.test(terms[noun.to - 1]!.text)) return undefined;
  // "Francis I": a name that goes on with a roman numeral the phrase left out.
  if (isCapitalised(terms[noun.to - 1]) && /^[IVX]+$/.test(terms[noun.to]?.text ?? '') && !breaksAfter(terms[noun.to - 1]!)) return undefined;
  if (terms.slice(from, noun.to).some((term) => /^(where|which|who|whom|whose|that|when|was|were|is|are)$/i.test(term.text)) || /^(of|and|or|the|a|an|to|in)$/i.test(terms[noun.to - 1]!.text)) return undefined;
  const head = terms[noun.head]!;
  const person = namesPerson(terms, noun);
  const plural = isPlural(terms, noun);
  const entity = entities.find((one) => one.from <= noun.head && noun.head < one.to && one.from >= noun.from && one.to <= noun.to);
  // "40 engineers", "over 14,000 outfits": the number is the answer, the noun goes into "how many" (but "20 years" is a duration).
  const value = terms.slice(from, noun.head).findIndex((term) => has(term, 'Value') && !has(term, 'Ordinal'));
  const measured = entity !== undefined && ['duration', 'date', 'money', 'percent'].includes(entity.type);
  // ("500,000 Huguenots": a capitalised plural the tagger left without its number.)
  const many = has(head, 'Plural') || isCapitalised(head) && /\p{Ll}[^su]s$/u.test(head.text) && noun.head > 0 || SAME_IN_PLURAL.test(head.text);
  if (value >= 0 && !measured && many && !has(head, 'Value') && terms.slice(from, from + value).every((term) => AMOUNT_WORD.test(term.text))) {
    let valueTo = from + value + 1;
    while (valueTo < noun.head && has(terms[valueTo], 'Value') && !has(terms[valueTo], 'Ordinal')) valueTo++;
    return { kind: 'count', from, to: valueTo, person: false, plural, counted: { from: valueTo, to: noun.to } };
  }
  // "the city", "the period": one singular common noun after "the" points back to something named before.
  if (from === noun.to - 1 && from > noun.from && !isCapitalised(head) && !has(head, 'Value') && !has(head, 'Plural')) return undefined;
  const described = categoryOf(context, terms, noun, from);
  const category = described ? { category: described.category, ...(described.measured ? { measured: true } : {}), ...(described.named ? { named: true } : {}) } : {};
  const span = described?.answer ?? { from, to: noun.to };
  if (entity) {
    // "the Luther Bible": a person's name inside a phrase whose head is a thing is no person.
    // ("Victoria" where the passage also says "in Victoria": a place that is also a first name.)
    const placed = entity.type === 'person' && entity.to - entity.from === 1 && context.isPlaceName(head.text);
    const kind = placed ? 'place' : entity.type === 'count' ? 'number' : entity.type === 'person' && !PERSON_TAGS.some((tag) => has(head, tag)) ? 'name' : entity.type;
    return { kind, ...span, person: !placed && (person || kind === 'person'), plural, ...category };
  }
  // A name the tagger could not type ("Tesla", "the Broncos"): a person or a thing, which decides "who" or "what".
  const isName = isCapitalised(head) && (noun.head > 0 || !context.casing.isCommonWord(head.text));
  // ("Tesla" alone, where the passage also writes "Nikola Tesla": a person.)
  const known = isName && span.to - span.from <= 2 && span.to === noun.head + 1 && context.isPersonName(head.text);
  return { kind: isName ? 'name' : 'phrase', ...span, person: person || known, plural, ...category };
}

/** A plural name ("the Normans", "the Steelers") most often names a group of people; names joined by "and" ("ARPANET and SITA HLN") need not. */
export function isGroup(sentence: Sentence, answer: Answer): boolean {
  return answer.plural && !sentence.terms.slice(answer.from, answer.to).some((term) => /^(and|&)$/i.test(term.text));
}

/** A singular name after "the" ("the Tyne and Wear Metro", "the Parliament of Victoria") names a thing, not a person: asked with "what". */
export function isNamedThing(sentence: Sentence, answer: Answer): boolean {
  if (answer.kind !== 'name' || answer.person) return false;
  // ("ARPANET and SITA HLN": names in capitals are of systems and bodies, not of people.)
  const words = sentence.terms.slice(answer.from, answer.to).filter((term) => !/^(and|of|&)$/i.test(term.text));
  if (words.every((term) => /^[\p{Lu}\d-]{2,}$/u.test(term.text))) return true;
  if (answer.plural || !/^the$/i.test(sentence.terms[answer.from - 1]?.text ?? '')) return false;
  // ("the Shah of Iran", "the French": a title or a people.)
  return !sentence.terms.slice(answer.from, answer.to).some((term) => ['Actor', 'Honorific', 'Demonym', ...PERSON_TAGS].some((tag) => has(term, tag)));
}

/** "which defensive end", "which protocols", "what age": the wh-phrase that names the answer's category. */
export function whichOf(context: PassageContext, sentence: Sentence, answer: Answer): string | undefined {
  if (!answer.category) return undefined;
  const text = phrase(context, sentence.terms, answer.category.from, answer.category.to);
  if (answer.named) return `which ${text.toLowerCase()}`;
  return `${answer.measured ? 'what' : 'which'} ${answer.category.from === 0 ? context.casing.inside(text) : text}`;
}

/** Verbs whose subject is a person ("Tesla died", "Hutton published"): they tell "who" for a name the tagger could not type. */
export const PERSON_VERB = /^(said|says|stated|told|thought|wrote|writes|published|publishes|married|marries|died|dies|founded|invented|studied|studies|taught|teaches|graduated|directed|played|sang|painted|composed|led|ruled|reigned|claimed|argued|believed|proposed|described|discovered|resigned|joined|met|visited|returned|moved|lived|served|received|won|lost|retired|emigrated|converted|preached|worked|partnered|refused|agreed|decided|promised|learned|learnt|became)$/i;

/** The wh-phrase that asks for an answer in place of a noun phrase (a subject or an object). */
export function whFor(context: PassageContext, sentence: Sentence, answer: Answer): string | undefined {
  switch (answer.kind) {
    case 'person':
      return whichOf(context, sentence, answer) ?? 'who';
    case 'count':
      // ("17 urban clusters and 18 rural clusters": the second count would stand in the question.)
      if (sentence.terms.slice(answer.counted!.from, answer.counted!.to).some((term) => /^(and|or)$/i.test(term.text))) return undefined;
      return `how many ${phrase(context, sentence.terms, answer.counted!.from, answer.counted!.to)}`;
    case 'money':
      return 'how much';
    case 'percent':
    case 'number':
    case 'date':
    case 'duration':
      return undefined;
    case 'name':
      // A plural name is most often a group of people ("the Normans", "the Steelers").
      return whichOf(context, sentence, answer) ?? (answer.person || isGroup(sentence, answer) ? 'who' : isNamedThing(sentence, answer) ? 'what' : undefined);
    case 'place':
    case 'organization':
      return whichOf(context, sentence, answer) ?? 'what';
    default:
      return whichOf(context, sentence, answer) ?? (answer.person ? 'who' : 'what');
  }
}


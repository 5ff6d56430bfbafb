import { findEntities, verbForms, type Entity, type Sentence, type Term } from '../nlp';
import { breaksAfter, isNominal, isPlural, nounPhraseAt, type NounPhrase } from '../phrases';
import { finishQuestion } from '../question';
import { clausesOf, frontedText, invert, partsAfter, isPlainCopula, isSpecific, partsText, phrase, subjectText, verbForWhSubject, type Clause, type Part, type Span } from './clause';
import { trimRange, type Candidate, type PassageContext } from './context';
import { AMOUNT_WORD, BASE_CONFIDENCE, PERSON_TAGS, PERSON_VERB, answerOf, has, isCapitalised, isGroup, isNamedThing, namesPerson, whFor, whichOf, type Answer, type AnswerKind } from './answers';

/** Where the answer stood in its clause, which decides the question's shape. */
export type AnswerRole = 'subject' | 'object' | 'preposition' | 'fronted' | 'predicate' | 'infinitive';

/** A question for one answer of one clause; `start`/`end` are the answer's file range. */
export interface SentenceQuestion extends Candidate {
  kind: AnswerKind;
  role: AnswerRole;
}

/** Longer questions mostly carry a second clause that the reader did not take apart. */
const MAX_QUESTION_WORDS = 24;
const WHEN_PREPOSITIONS = new Set(['in', 'on', 'at', 'during']);
const WHERE_PREPOSITIONS = new Set(['in', 'at', 'near', 'within', 'inside', 'throughout']);
/** Prepositions that may be left at the end of a question ("What was it named after?"). */
const STRANDABLE = new Set(['by', 'to', 'from', 'with', 'for', 'of', 'into', 'after', 'about', 'on', 'in', 'as', 'at', 'via', 'through', 'against', 'towards', 'toward', 'over', 'under', 'onto', 'upon']);

/** The wh-phrase for a phrase with a preposition, and whether the preposition stays at the question's end. */
function whForPreposition(context: PassageContext, sentence: Sentence, verbMain: number, answer: Answer, preposition: string, passive: boolean, last: boolean): { wh: string; strand: boolean } | undefined {
  if (answer.kind === 'date') {
    if (WHEN_PREPOSITIONS.has(preposition)) return { wh: 'when', strand: false };
    // "from 1870 to 1939", "between 2005 and 2010": the span of time is the answer.
    const range = sentence.terms.slice(answer.from, answer.to).some((term) => /^(to|until|till|and)$/i.test(term.text));
    if (range && (preposition === 'from' || preposition === 'between')) return { wh: 'when', strand: false };
    if (preposition === 'since' || preposition === 'until') return { wh: `${preposition} when`, strand: false };
    return undefined;
  }
  if (answer.kind === 'place' && WHERE_PREPOSITIONS.has(preposition)) return { wh: 'where', strand: false };
  // "from individual pieties to doctrines": both ends are in the phrase, so neither alone answers "What ... from?".
  if ((preposition === 'from' || preposition === 'between') && sentence.terms.slice(answer.from, answer.to).some((term) => /^(to|until|till|and)$/i.test(term.text))) return undefined;
  if (answer.kind === 'duration') return preposition === 'for' ? { wh: 'how long', strand: false } : undefined;
  // "is known as a guru" → "What is ... known as?"
  // ("can be expressed as the set of triples", "is lined with tall palm trees": after a passive too.)
  if (preposition === 'as' && (NAMING.test(sentence.terms[verbMain]!.text) || passive) && last) return { wh: answer.kind === 'person' ? 'who' : 'what', strand: true };
  if (/^(of|than|as|like|about|including)$/.test(preposition)) return undefined;
  // "for three plays" → "for how many plays": the preposition goes along with the wh-phrase.
  if (answer.kind === 'count') return { wh: `${preposition} ${whFor(context, sentence, answer)}`, strand: false };
  if (answer.kind === 'number' || answer.kind === 'percent' || answer.kind === 'money') return undefined;
  // "To which receiver ...?", "At what age ...?": only a title before a name, or a number after its noun.
  const titled = answer.category !== undefined && (answer.measured === true || answer.named === true || answer.category.to <= answer.from);
  const which = titled ? whichOf(context, sentence, answer) : undefined;
  if (which && preposition !== 'by') return { wh: `${preposition} ${which}`, strand: false };
  if (!last || !STRANDABLE.has(preposition)) return undefined;
  if (preposition === 'by' && !passive) return undefined;
  const who = answer.person || answer.kind === 'person' || (answer.kind === 'name' && isGroup(sentence, answer));
  if (answer.kind === 'name' && !who && !isNamedThing(sentence, answer)) return undefined;
  return { wh: who ? 'who' : 'what', strand: true };
}

/** Verbs that give a name ("known as", "referred to as"): the "as" may stay at the end of the question. */
const NAMING = /^(known|referred|described|regarded|seen|called|named|designated|classified|listed|recognized|recognised|considered|served|serves|acts|acted|works|worked|used)$/i;

/** Verbs that say little without their object and what follows it ("made a contribution to", "played a role in"). */
const LIGHT_VERB = /^(make|makes|made|take|takes|took|taken|give|gives|gave|given|play|plays|played|have|has|had|do|does|did|put|puts)$/i;

/** Verbs that link their subject to a description ("became the first quarterback"): asked with "what". */
const LINKING = /^(become|becomes|became|remain|remains|remained|seem|seems|seemed|stay|stays|stayed)$/i;

/** True when the main verb is a form of "be" ("has been", "will be"), which takes no object. */
function isBe(clause: Clause): boolean {
  return /^(be|been|being|is|are|was|were|am)$/i.test(clause.sentence.terms[clause.verb.main]!.text);
}

/** True for a passive verb group ("was coined", "were selected"). */
function isPassive(clause: Clause): boolean {
  const { terms } = clause.sentence;
  const words = terms.slice(clause.verb.from, clause.verb.to);
  return words.some((term) => has(term, 'Copula') || /^(was|were|is|are|be|been|being)$/i.test(term.text)) && has(terms[clause.verb.main], 'PastTense') && clause.verb.main > clause.verb.from;
}

/** The file range of an answer, without trailing punctuation. */
function rangeOf(context: PassageContext, sentence: Sentence, answer: Span): { start: number; end: number } {
  const range = trimRange(context, sentence.terms[answer.from]!.start, sentence.terms[answer.to - 1]!.end, /[\s.,;:]/);
  // 'a force of "Franks"': the closing quote of a quoted word at the end belongs to the answer.
  const quotes = (context.text(range.start, range.end).match(/"/g) ?? []).length;
  if (quotes % 2 === 1 && context.text(range.end, range.end + 1) === '"') return { ...range, end: range.end + 1 };
  return range;
}

function confidenceOf(kind: AnswerKind, question: string, clause: Clause): number {
  const words = question.split(' ').length;
  const other = clause.parts.some((part) => part.kind === 'other') ? 0.05 : 0;
  return BASE_CONFIDENCE[kind] - (words > 20 ? 0.15 : words > 14 ? 0.05 : 0) - other - (clause.relative ? 0.02 : 0);
}

function asked(context: PassageContext, clause: Clause, question: string, answer: Span, kind: AnswerKind, role: AnswerRole): SentenceQuestion {
  return { question, ...rangeOf(context, clause.sentence, answer), confidence: confidenceOf(kind, question, clause), kind, role };
}

/** Adjectives that say how much or how good rather than what kind ("a large city", "the new system"). */
const GRADING = /^(numerous|countless|new|old|large|small|big|great|good|bad|high|low|long|short|many|much|other|same|first|last|next|major|minor|main|important|various|several|different|early|late|own|recent|current|former|certain|whole|entire|particular|significant|original|total|full|further|following|previous|general|common|possible|strong|special|popular|famous|further|additional|real|true|final|initial|single|key|wide|little|few|young|modern|traditional|typical|similar|serious|severe|considerable|heavy|vast|huge|direct|only|usual|actual|specific|available|present|potential|relative|relevant|necessary|essential|normal|individual|annual|average|certain|due|free|open|public|private|simple|complex|global|local|national|international|natural|social|physical|original|critical|central|primary|secondary|initial|official|active|positive|negative|standard)$/i;

/**
 * An adjective that sorts its noun into a kind ("an electric heating element", "a multi-cultural city",
 * "the binary alphabet"): a classifying ending or a hyphenated word, not one that grades.
 */
function isClassifier(term: Term): boolean {
  if (!has(term, 'Adjective') || has(term, 'Comparative') || has(term, 'Superlative') || has(term, 'Verb') || GRADING.test(term.text)) return false;
  return /-/.test(term.text) || /(al|ic|ian|ese|ish|ary|ive|ous|ern|ar|ile)$/i.test(term.text) || has(term, 'Demonym');
}

/** "an electric heating element" → the adjective (the answer) and the nouns it sorts ("heating element"). */
function kindOf(terms: Term[], noun: NounPhrase): { answer: Span; rest: Span } | undefined {
  const from = /^(the|a|an)$/i.test(terms[noun.from]!.text) ? noun.from + 1 : noun.from;
  const adjective = terms[from];
  if (!adjective || !isClassifier(adjective) || noun.head !== noun.to - 1 || noun.head <= from) return undefined;
  const rest = terms.slice(from + 1, noun.to);
  if (!rest.every((term) => isNominal(term) && !isCapitalised(term) && !has(term, 'Value'))) return undefined;
  return { answer: { from, to: from + 1 }, rest: { from: from + 1, to: noun.to } };
}

/**
 * "What kind of ...?" for a noun phrase that a classifying adjective opens: the subject ("What kind of
 * engines produce steam?"), the object ("What kind of trains does the line run?") or what "be" says
 * ("What kind of city has Warsaw been?"); the adjective is the answer.
 */
function kindQuestions(context: PassageContext, clause: Clause): SentenceQuestion[] {
  const { sentence } = clause;
  const { terms } = sentence;
  const questions: SentenceQuestion[] = [];
  const fronted = frontedText(context, clause);
  const subjectKind = clause.subjectName === undefined ? kindOf(terms, clause.subject) : undefined;
  if (subjectKind && clause.parts.some((part) => !part.detached && part.kind !== 'adverb') && !isPlainCopula(clause)) {
    const verb = verbForWhSubject(context, clause, true);
    const adverbs = phrase(context, terms, clause.adverbs.from, clause.adverbs.to);
    if (verb) questions.push(asked(context, clause, finishQuestion([`what kind of ${phrase(context, terms, subjectKind.rest.from, subjectKind.rest.to)}`, adverbs, verb, partsText(context, clause), fronted]), subjectKind.answer, 'phrase', 'subject'));
  }
  const first = clause.parts[0];
  if (!first?.phrase || first.kind !== 'noun' || first.continued || first.listed || !isAskable(clause)) return questions;
  const objectKind = kindOf(terms, first.phrase);
  const next = clause.parts.slice(1).find((one) => one.kind !== 'adverb');
  if (!objectKind || first.phrase.to !== first.to || (next !== undefined && !next.detached && (next.kind === 'noun' || next.kind === 'other'))) return questions;
  const body = invert(context, clause, [partsText(context, clause, [first]), fronted].filter(Boolean).join(' '));
  if (body) questions.push(asked(context, clause, finishQuestion([`what kind of ${phrase(context, terms, objectKind.rest.from, objectKind.rest.to)}`, body]), objectKind.answer, 'phrase', 'object'));
  return questions;
}

/** "one of the earliest Persian geologists", "one of the first": one of a ranked few, which a question can ask about. */
function isOneOfTheMost(terms: Term[], part: Span): boolean {
  const words = terms.slice(part.from, part.to);
  return /^one$/i.test(words[0]?.text ?? '') && /^of$/i.test(words[1]?.text ?? '') && /^the$/i.test(words[2]?.text ?? '') && words.slice(3).some((term) => has(term, 'Superlative') || has(term, 'Ordinal') || /^most$/i.test(term.text));
}

/** The name in apposition to a subject that describes it ("Their local rivals, Polonia Warsaw"), a person or group when the description is. */
function describedName(context: PassageContext, sentence: Sentence, entities: Entity[], clause: Clause): Answer | undefined {
  const name = answerOf(context, sentence, entities, clause.appositive!);
  if (!name || name.category) return undefined;
  return namesPerson(sentence.terms, clause.subject) ? { ...name, person: true } : name;
}

/** "Rollo led the raiders" → "Who led the raiders?"; "Which defensive end had 5 sacks?" */
function subjectQuestion(context: PassageContext, clause: Clause, entities: Entity[]): SentenceQuestion | undefined {
  const { sentence } = clause;
  // "What can be larger?" says too little: the verb needs a phrase after it that names something.
  const says = clause.parts.some((part) => !part.detached && ['noun', 'preposition', 'infinitive', 'means'].includes(part.kind));
  if (clause.subjectName !== undefined || clause.describedSubject || !isSpecific(sentence.terms, clause.subject) || !says) return undefined;
  // "X is a Y" asks nothing definite the other way round unless Y is described at length; "X is the first Y" does.
  const predicate = clause.parts[0];
  const described = clause.parts.at(-1)!.to - clause.parts[0]!.from >= 6;
  const definite = predicate?.kind === 'noun' && (/^(the|its|their|his|her)$/i.test(sentence.terms[predicate.from]!.text) && predicate.to - predicate.from >= 3 || isOneOfTheMost(sentence.terms, predicate));
  // "The Greens are strongest in inner Melbourne": an adjective with a phrase after it says something definite.
  const qualified = predicate?.kind === 'adjective' && clause.parts[1]?.kind === 'preposition' && !clause.parts[1].detached;
  if (isPlainCopula(clause) && !(predicate?.kind === 'noun' && (described || definite)) && !qualified) return undefined;
  // "transmission must have been person to person": "be" with a bare noun after it says nothing definite.
  if (isBe(clause) && predicate?.kind === 'noun' && !/^(the|a|an|its|their|his|her)$/i.test(sentence.terms[predicate.from]!.text) && !isOneOfTheMost(sentence.terms, predicate)) return undefined;
  // "Their local rivals, Polonia Warsaw, have ...": a description that points elsewhere, and the name after it answers.
  const nameAfter = clause.appositive && !clause.appositive.pronoun && isCapitalised(sentence.terms[clause.appositive.head]) && /^(their|his|her|its|our)$/i.test(sentence.terms[clause.subject.from]!.text);
  const found = nameAfter ? describedName(context, sentence, entities, clause) : answerOf(context, sentence, entities, clause.subject);
  if (!found) return undefined;
  // An untyped name that does what people do ("Tesla died on 7 January 1943") is a person.
  // (Not a name in capitals, "the V&A", "NASA": a body that receives or publishes.)
  const capitals = sentence.terms.slice(found.from, found.to).every((term) => /^[\p{Lu}\d&.-]+$/u.test(term.text));
  const answer = found.kind === 'name' && !found.plural && !capitals && PERSON_VERB.test(sentence.terms[clause.verb.main]!.text) && clause.verb.auxiliary === '' ? { ...found, person: true } : found;
  // A name that "is the largest producer" or "was one of the earliest geologists": the description tells "who" or "what".
  const byDescription = isPlainCopula(clause) && predicate?.phrase && (described || definite) ? (namesPerson(sentence.terms, predicate.phrase) ? 'who' : 'what') : undefined;
  const wh = whFor(context, sentence, answer) ?? (answer.kind === 'name' ? byDescription : undefined);
  if (!wh || (answer.counted && answer.counted.to !== clause.subject.to)) return undefined;
  const adverbs = phrase(context, sentence.terms, clause.adverbs.from, clause.adverbs.to);
  // "Which engines produce ...?" agrees with its noun; "What produces ...?" takes the singular.
  const named = wh.startsWith('which') || wh.startsWith('how many');
  const verb = verbForWhSubject(context, clause, named);
  if (!verb) return undefined;
  const question = finishQuestion([wh, adverbs, verb, partsText(context, clause), frontedText(context, clause)]);
  return asked(context, clause, question, answer, answer.kind, 'subject');
}

/**
 * "The name was coined by Lavoisier" → "Who coined the name?": the agent of a passive asked in the
 * active voice, which reads better than "Who was the name coined by?".
 */
function agentQuestion(context: PassageContext, clause: Clause, part: Part, answer: Answer): SentenceQuestion | undefined {
  const { terms } = clause.sentence;
  // ("is usually limited by": the adverb stays, "What usually limits ...?")
  const group = terms.slice(clause.verb.from, clause.verb.to);
  const words = group.filter((term) => !has(term, 'Adverb')).map((term) => term.text.toLowerCase());
  const adverbs = group.filter((term) => has(term, 'Adverb')).map((term) => term.text.toLowerCase()).join(' ');
  if (words.length !== 2 || !/^(was|were|is|are)$/.test(words[0]!) || clause.subjectName !== undefined) return undefined;
  const participle = terms[clause.verb.main]!.text;
  const conjugated = verbForms(participle);
  const verb = /^(was|were)$/.test(words[0]!) ? conjugated?.PastTense : conjugated?.PresentTense;
  const who = answer.named ? whichOf(context, clause.sentence, answer) : answer.person || answer.kind === 'person' || (answer.kind === 'name' && isGroup(clause.sentence, answer)) ? 'who' : answer.kind === 'name' && !isNamedThing(clause.sentence, answer) ? undefined : 'what';
  if (!verb || !who || verb.toLowerCase() === participle.toLowerCase() && /^(is|are)$/.test(words[0]!)) return undefined;
  const object = phrase(context, terms, clause.subject.from, clause.subject.to);
  const text = clause.subject.from === 0 ? subjectText(context, clause) : object;
  const rest = partsText(context, clause, [part]);
  const question = finishQuestion([who, adverbs, verb, text, rest, frontedText(context, clause)]);
  return asked(context, clause, question, answer, answer.kind, 'preposition');
}

/** "The lab hired 40 engineers" → "How many engineers did the lab hire?"; "in 1066" → "When did ...?"; "at age 38" → "At what age did ...?" */
function complementQuestions(context: PassageContext, clause: Clause, entities: Entity[]): SentenceQuestion[] {
  const { sentence } = clause;
  const questions: SentenceQuestion[] = [];
  if (!isAskable(clause)) return questions;
  const passive = isPassive(clause);
  const fronted = frontedText(context, clause);
  clause.parts.forEach((part, index) => {
    if (!part.phrase || part.kind === 'adverb' || part.kind === 'other' || part.continued || part.listed) return;
    const answer = answerOf(context, sentence, entities, part.phrase);
    if (!answer || (answer.counted && answer.counted.to !== part.phrase.to)) return;
    // ("lost 30 to 50 thousand inhabitants": the phrase after "to" is the end of a range, not where something went;
    // "from 10 Gbit/s to 100 Gbit/s": nor is the phrase after "from" its own answer.)
    if (/^(to|and)$/.test(part.preposition ?? '') && has(sentence.terms[part.from - 1], 'Value')) return;
    const rangeTo = sentence.terms.slice(answer.to, part.to + 1).findIndex((term) => /^(to|and)$/i.test(term.text));
    if (/^(from|between)$/.test(part.preposition ?? '') && rangeTo >= 0 && has(sentence.terms[answer.to + rangeTo + 1], 'Value') && answer.kind !== 'date') return;
    // ("wrote The Judgement of Martin Luther on Monastic Vows": a title may go on across a preposition.)
    const before = clause.parts[index - 1];
    if (part.kind === 'preposition' && before?.to === part.from && isCapitalised(sentence.terms[part.from - 1]) && isCapitalised(sentence.terms[part.from + 1]) && !before.detached) return;
    let wh: string | undefined;
    let rest: string;
    if (part.kind === 'noun') {
      // The object right after the verb, and not one that a following phrase may belong to ("a
      // constitution enacted in 1975", "the first quarterback ever to lead ...").
      const next = clause.parts.slice(1).find((one) => one.kind !== 'adverb');
      const belongs = next !== undefined && !next.detached && (next.kind === 'noun' || next.kind === 'other' || next.kind === 'infinitive' && !/^in$/i.test(sentence.terms[next.from]!.text));
      // ("had three epicenters where vegetation died off": a relative clause after a count only says more of what is counted, and is left out.)
      const relativeAfterCount = answer.kind === 'count' && next?.kind === 'other' && /^(where|which|that|who|whom|whose)$/i.test(sentence.terms[next.from]!.text);
      if (index !== 0 || clause.verb.copula || isBe(clause) || (belongs && !relativeAfterCount)) return;
      // After a passive verb a noun phrase is no object ("is sampled every 6 minutes"), unless the verb names or gives ("was named X").
      if (passive && !/^(named|called|given|awarded|granted|offered|shown|told|taught|sent|paid|elected|appointed|made|considered)$/i.test(sentence.terms[clause.verb.main]!.text)) return;
      // "made a significant contribution to X": with a light verb the phrase after the object completes it.
      if (answer.kind === 'phrase' && LIGHT_VERB.test(sentence.terms[clause.verb.main]!.text) && clause.parts[1]?.kind === 'preposition' && !clause.parts[1].detached) return;
      // "The gallery closed 25 February 2010": a date right after the verb says when.
      // ("The efficiency reaches some 27-30%": "What percentage does the efficiency reach?")
      wh = answer.kind === 'date' ? 'when' : answer.kind === 'percent' ? 'what percentage' : LINKING.test(sentence.terms[clause.verb.main]!.text) && answer.kind !== 'count' ? 'what' : whFor(context, sentence, answer);
      rest = partsText(context, clause, relativeAfterCount ? [part, next!] : [part]);
    } else {
      // After "is" the first phrase is what the clause says ("was under Norman rule"); a later one hangs
      // on it, unless what "is" says is an adjective ("is strongest in inner Melbourne").
      const afterAdjective = clause.parts.slice(0, index).some((one) => one.kind === 'adjective') && clause.parts.slice(0, index).every((one) => one.kind === 'adjective' || one.kind === 'adverb');
      // ("When was the theatre in operation?": a time or a place does not hang on the phrase after "is".)
      const setting = (answer.kind === 'date' || answer.kind === 'place' || answer.kind === 'duration') && clause.parts[0]?.kind !== 'noun';
      if (isPlainCopula(clause) && index !== 0 && !afterAdjective && !setting) return;
      if (part.preposition === 'by' && passive && (!answer.category || answer.named)) {
        const active = agentQuestion(context, clause, part, answer);
        if (active) questions.push(active);
        return;
      }
      // A preposition is left at the end only when its phrase goes with the verb: right after it, or
      // after its object and other such phrases ("Manning completed a pass to Bennie Fowler" → "Who did
      // Manning complete a pass to?"); and not after a passive ("What is more information needed in?")
      // but for "by" and "known as".
      const strandable = !passive || part.preposition === 'by' || part.preposition === 'as' || part.preposition === 'with';
      const before = clause.parts.slice(0, index);
      const nearVerb = before.every((one) => one.kind === 'adverb' || one.kind === 'adjective');
      // (After the object only: a phrase after another one may hang on its noun, "to victory in Super Bowl XXXIII".)
      // (Only a preposition that goes with the verb and its object, "complete a pass to", "launch an attack on"; "What
      // did the rotors have an arrangement of blades at?" reads badly.)
      const afterObject = /^(to|with|from|into|onto|for|against|on|about|toward|towards)$/.test(part.preposition!) && !clause.verb.copula && !isBe(clause) && !LINKING.test(sentence.terms[clause.verb.main]!.text) && before[0]?.kind === 'noun' && !before[0].continued && !before[0].listed && before.slice(1).every((one) => one.kind === 'adverb');
      // The phrases after it that say more about the event ("for a 2-point conversion") are left out of a question that ends in the preposition.
      const following = clause.parts.slice(index + 1).filter((one) => !one.detached);
      // ("subscribed to the Agreement on Social Policy": a name goes on in the capitalised phrase after it.)
      const nameGoesOn = following[0]?.from === part.to && following[0].phrase !== undefined && isCapitalised(sentence.terms[part.to - 1]) && isCapitalised(sentence.terms[following[0].phrase.head]);
      const droppable = !nameGoesOn && following.every((one) => (one.kind === 'preposition' || one.kind === 'adverb') && !one.continued);
      // ("What did plague occur in?" asks nothing definite of "Venice 22 times", nor of a year the tagger did not take for one.)
      const counted = sentence.terms.slice(answer.from, answer.to).some((term) => has(term, 'Value'));
      const last = strandable && !part.detached && (!isPlainCopula(clause) || afterAdjective) && ((nearVerb && following.length === 0) || ((nearVerb || afterObject) && droppable && !counted));
      const plan = whForPreposition(context, sentence, clause.verb.main, answer, part.preposition!, passive, last);
      if (!plan || (setting && !afterAdjective && index !== 0 && !/^(when|where|how long)$/.test(plan.wh))) return;
      wh = plan.wh;
      rest = [partsText(context, clause, plan.strand ? [part, ...following] : [part]), plan.strand ? part.preposition : ''].filter(Boolean).join(' ');
    }
    if (!wh) return;
    const body = invert(context, clause, [rest, fronted].filter(Boolean).join(' '));
    if (!body) return;
    questions.push(asked(context, clause, finishQuestion([wh, body]), answer, answer.kind, part.kind === 'noun' ? 'object' : 'preposition'));
  });
  return questions;
}

/** "In 1066, the Normans invaded England" → "When did the Normans invade England?" */
function frontedQuestion(context: PassageContext, clause: Clause, entities: Entity[]): SentenceQuestion | undefined {
  const { sentence } = clause;
  if (!clause.fronted || clause.relative || !isAskable(clause)) return undefined;
  const { from, to } = clause.fronted;
  const preposition = sentence.terms[from]!.text.toLowerCase();
  if (!has(sentence.terms[from], 'Preposition')) return undefined;
  let entity: Entity | undefined = entities.find((one) => one.from >= from + 1 && one.to === to && (one.type === 'date' || one.type === 'place'));
  if (entity && sentence.terms.slice(from + 1, entity.from).some((term) => !has(term, 'Determiner'))) {
    // "In the summer of 1521": a noun phrase that ends in the date says when, and is the answer whole.
    const noun = nounPhraseAt(sentence.terms, from + 1, to);
    const start = noun && /^the$/i.test(sentence.terms[noun.from]!.text) ? noun.from + 1 : noun?.from;
    entity = entity.type === 'date' && noun?.to === to && start !== undefined && /^of$/i.test(sentence.terms[entity.from - 1]!.text) ? { ...entity, from: start } : undefined;
  }
  if (!entity) return undefined;
  const wh = entity.type === 'date' ? (WHEN_PREPOSITIONS.has(preposition) ? 'when' : undefined) : WHERE_PREPOSITIONS.has(preposition) ? 'where' : undefined;
  const body = wh ? invert(context, clause, partsText(context, clause)) : undefined;
  if (!body) return undefined;
  return asked(context, clause, finishQuestion([wh, body]), entity, entity.type, 'fronted');
}

/** "Rollo was a Viking leader" → "Who was Rollo?"; "Fresno is the largest city ..." → "What is Fresno?" */
function predicateQuestion(context: PassageContext, clause: Clause, entities: Entity[]): SentenceQuestion | undefined {
  const { sentence } = clause;
  const { terms } = sentence;
  const predicate = clause.parts[0];
  // "What is every Christian?": a definition is asked of something specific, not of a quantified noun.
  if (!isPlainCopula(clause) || clause.relative || predicate?.kind !== 'noun' || !(clause.subjectName !== undefined || isSpecific(terms, clause.subject))) return undefined;
  if (has(terms[clause.subject.from], 'Value') || clause.adverbs.to > clause.adverbs.from) return undefined;
  // A definition names a kind of thing: "a Viking leader", "the largest city"; "Paris" is not one. A
  // bare number ("The learning rate is 3e-5") answers "What is the learning rate?" when the subject is
  // definite; a measure ("1,160,000 square miles") asks "how large", which this reader cannot tell.
  const head = terms[predicate.phrase!.head]!;
  const value = has(head, 'Value');
  if (value && !(/^the$/i.test(terms[clause.subject.from]!.text) && clause.subject.to - clause.subject.from >= 2 && clause.parts.length === 1)) return undefined;
  // ("the second-largest producer" is a description: an ordinal ranks, it does not measure.)
  if (!value && terms.slice(predicate.from, predicate.phrase!.head).some((term) => (has(term, 'Value') && !has(term, 'Ordinal')) || AMOUNT_WORD.test(term.text))) return undefined;
  if (!value && has(head, 'ProperNoun') && !/^(a|an|the)$/i.test(terms[predicate.from]!.text)) return undefined;
  // "The cause is ...": a subject of one common noun after "the" points back to something named before,
  // unless the section is about it ("# Tokenizer ... The tokenizer is ...").
  const subjectWords = terms.slice(clause.subject.from, clause.subject.to);
  const topic = context.passage.headings.some((heading) => heading.toLowerCase().includes(subjectWords.at(-1)!.text.toLowerCase()));
  if (clause.subjectName === undefined && subjectWords.length === 2 && /^the$/i.test(subjectWords[0]!.text) && !isCapitalised(subjectWords[1]) && !topic) return undefined;
  // The whole predicate, "and" included ("the amplitude and phase lag of each constituent"), up to the next comma.
  let end = clause.parts.filter((part) => !part.detached).at(-1)!.to;
  while (end < terms.length && !breaksAfter(terms[end - 1]!) && /^(and|or)$/i.test(terms[end]!.text)) {
    const next = nounPhraseAt(terms, end + 1);
    if (!next || next.pronoun) break;
    end = next.to;
  }
  // "is a nuclear reactor, geothermal energy or waste heat": a list goes on after the comma.
  if (end < terms.length && /,/.test(terms[end - 1]!.after) && nounPhraseAt(terms, end) !== undefined) return undefined;
  const subject = answerOf(context, sentence, entities, clause.subject);
  const wh = subject?.person || subject?.kind === 'person' ? 'who' : 'what';
  const copula = phrase(context, terms, clause.verb.from, clause.verb.to).toLowerCase();
  const question = finishQuestion([wh, copula, subjectText(context, clause), frontedText(context, clause)]);
  const confidence = BASE_CONFIDENCE.definition + (/^(a|an)$/i.test(terms[predicate.from]!.text) ? 0.05 : 0) - (end - predicate.from > 20 ? 0.1 : 0);
  return { question, ...rangeOf(context, sentence, { from: predicate.from, to: end }), confidence, kind: value ? 'number' : 'definition', role: 'predicate' };
}

/** Verbs whose infinitive says what the subject does ("was selected to play", "decided to build"). */
const TAKES_INFINITIVE = /^(wanted|wants|decided|decides|tried|tries|planned|plans|agreed|agrees|began|begins|started|starts|continued|continues|hoped|hopes|attempted|attempts|refused|refuses|failed|fails|managed|manages|chose|chooses|sought|seeks|intended|intends|needed|needs|went|goes|came|comes|promised|promises|offered|offers|threatened|learned|expected|allowed|required|forced|asked|encouraged|selected|chosen|elected|invited|appointed|designed|used|able|unable)$/i;

/**
 * "X was selected to play in the Pro Bowl" → "What was X selected to do?"; "The lab hired engineers
 * in order to build the engine" → "Why did the lab hire engineers?".
 */
function infinitiveQuestion(context: PassageContext, clause: Clause): SentenceQuestion | undefined {
  const { sentence } = clause;
  const { terms } = sentence;
  const index = clause.parts.findIndex((part) => part.kind === 'infinitive');
  if (index < 0 || !isAskable(clause)) return undefined;
  const part = clause.parts[index]!;
  const before = clause.parts.slice(0, index);
  const fronted = frontedText(context, clause);
  const main = terms[clause.verb.main]!.text;
  const inOrder = /^in$/i.test(terms[part.from]!.text);
  if (before.every((one) => one.kind === 'adverb') && !inOrder && TAKES_INFINITIVE.test(main)) {
    const body = invert(context, clause, [partsText(context, clause, [part, ...clause.parts.slice(index + 1)]), 'to do', fronted].filter(Boolean).join(' '));
    if (!body) return undefined;
    const answer = { from: part.from + 1, to: part.to };
    return asked(context, clause, finishQuestion(['what', body]), answer, 'phrase', 'infinitive');
  }
  // Only "in order to" surely says why; after an object an infinitive often belongs to the noun ("a duty to consider").
  if (inOrder && !clause.verb.copula && !isBe(clause)) {
    const rest = partsText(context, clause, [part, ...clause.parts.slice(index + 1)]);
    const body = invert(context, clause, [rest, fronted].filter(Boolean).join(' '));
    if (!body) return undefined;
    return asked(context, clause, finishQuestion(['why', body]), part, 'phrase', 'infinitive');
  }
  return undefined;
}

/**
 * The object of an infinitive after a verb that takes one: "The lab planned to build a reactor" → "What
 * did the lab plan to build?"; for "name X Y" the name: "Grissom, White, and Chaffee decided to name
 * their flight Apollo 1" → "What did Grissom, White, and Chaffee decide to name their flight?".
 */
function infinitiveObjectQuestion(context: PassageContext, clause: Clause, entities: Entity[]): SentenceQuestion | undefined {
  const { sentence } = clause;
  const { terms } = sentence;
  const index = clause.parts.findIndex((part) => part.kind === 'infinitive');
  if (index < 0 || !isAskable(clause) || !clause.parts.slice(0, index).every((one) => one.kind === 'adverb') || !TAKES_INFINITIVE.test(terms[clause.verb.main]!.text)) return undefined;
  const part = clause.parts[index]!;
  const verb = part.from + 1;
  if (!/^to$/i.test(terms[part.from]!.text) || !has(terms[verb], 'Verb') || has(terms[verb], 'Copula')) return undefined;
  const inner = partsAfter(terms, verb + 1, part.to);
  const [first, second] = inner;
  const whole = (one: Part | undefined) => one?.kind === 'noun' && one.phrase !== undefined && !one.continued && !one.listed;
  if (!whole(first)) return undefined;
  const naming = /^(name|call|rename)$/i.test(terms[verb]!.text) && whole(second);
  // (The object, and not one that a following phrase may belong to: "to build a road linking the towns".)
  if (!naming && second !== undefined && !second.detached && (second.kind === 'noun' || second.kind === 'other' || second.kind === 'infinitive')) return undefined;
  const target = naming ? second! : first!;
  const answer = answerOf(context, sentence, entities, target.phrase!);
  if (!answer || (answer.counted && answer.counted.to !== target.phrase!.to)) return undefined;
  const wh = naming ? 'what' : answer.kind === 'date' ? undefined : whFor(context, sentence, answer);
  if (!wh) return undefined;
  const rest = ['to', phrase(context, terms, verb, verb + 1), ...inner.filter((one) => one !== target && !one.detached).map((one) => phrase(context, terms, one.from, one.to))].join(' ');
  const body = invert(context, clause, [rest, partsText(context, clause, clause.parts.slice(0, index + 1)), frontedText(context, clause)].filter(Boolean).join(' '));
  return body ? asked(context, clause, finishQuestion([wh, body]), answer, answer.kind, 'infinitive') : undefined;
}

/** Verbs that report what someone said, thought or found: the clause after their "that" is what they said. */
const REPORTING = /^(say|says|said|state|states|stated|claim|claims|claimed|argue|argues|argued|suggest|suggests|suggested|believe|believes|believed|think|thinks|thought|report|reports|reported|propose|proposes|proposed|explain|explains|explained|conclude|concludes|concluded|note|notes|noted|assert|asserts|asserted|announce|announces|announced|declare|declares|declared|show|shows|showed|shown|find|finds|found|reveal|reveals|revealed|indicate|indicates|indicated|demonstrate|demonstrates|demonstrated|confirm|confirms|confirmed|predict|predicts|predicted|hypothesize|hypothesized|hypothesise|hypothesised|estimate|estimates|estimated|insist|insists|insisted|maintain|maintains|maintained|warn|warns|warned|realize|realized|realise|realised|discover|discovers|discovered|assure|assured|quipped|wrote|writes|held|holds|ruled|rules)$/i;

/**
 * "Twigg suggested that the cause was a form of anthrax" → "What did Twigg suggest?": the clause after
 * "that" is what a verb of saying, thinking or finding reports, and the answer (without the "that").
 */
function reportQuestion(context: PassageContext, clause: Clause): SentenceQuestion | undefined {
  const { sentence } = clause;
  const { terms } = sentence;
  const index = clause.parts.findIndex((part) => part.kind !== 'adverb');
  const part = clause.parts[index];
  // ("assured monks and nuns that ...": a person told comes before the clause.)
  const told = part?.kind === 'noun' && namesPerson(terms, part.phrase!) && /^(assure|assured|warn|warned|told|tell|tells|remind|reminded|convinced|informed)$/i.test(terms[clause.verb.main]!.text) ? part : undefined;
  const report = told ? clause.parts[index + 1] : part;
  if (!report || report.kind !== 'other' || !/^that$/i.test(terms[report.from]!.text) || !REPORTING.test(terms[clause.verb.main]!.text) && !told || !isAskable(clause)) return undefined;
  if (isPassive(clause) || clause.verb.copula || isBe(clause)) return undefined;
  // What is said is a clause of its own: a subject that names something and a finite verb, read to its end.
  const subject = nounPhraseAt(terms, report.from + 1, report.to);
  if (!subject || (subject.pronoun && !/^(we|they|he|she)$/i.test(terms[subject.from]!.text) ) || !terms.slice(subject.to, report.to).some((term, k) => has(term, 'Verb') || (k === 0 && /[^s]s$/i.test(term.text)))) return undefined;
  if (/^(it|this|that|these|those|there)$/i.test(terms[subject.from]!.text)) return undefined;
  const end = report.to;
  // (A clause cut at a comma that goes on ("that X, which ...", "that X, and Y") is not whole.)
  if (end < terms.length && !/[.;]\s*$|^\s*$/.test(terms[end - 1]!.after) && !/^,\s*$/.test(terms[end - 1]!.after)) return undefined;
  if (end - report.from - 1 < 3) return undefined;
  const rest = [told ? phrase(context, terms, told.from, told.to) : '', frontedText(context, clause)].filter(Boolean).join(' ');
  const body = invert(context, clause, rest);
  if (!body) return undefined;
  return asked(context, clause, finishQuestion(['what', body]), { from: report.from + 1, to: end }, 'phrase', 'object');
}

/** "Polonia was relegated in 2013 because of their disastrous financial situation" → "Why was Polonia relegated in 2013?" */
function reasonQuestion(context: PassageContext, clause: Clause): SentenceQuestion | undefined {
  const part = clause.parts.find((one) => one.kind === 'reason' && !one.detached);
  // (Only a clear verb: in "the localization of fossil types due to ..." "types" is no verb.)
  const clear = clause.verb.auxiliary !== '' || clause.verb.copula || clause.verb.past;
  if (!part || !clear || !isAskable(clause)) return undefined;
  const reason = nounPhraseAt(clause.sentence.terms, part.from + 2, part.to);
  if (!reason || reason.pronoun) return undefined;
  const answer = { from: reason.from, to: part.to };
  const body = invert(context, clause, [partsText(context, clause, [part]), frontedText(context, clause)].filter(Boolean).join(' '));
  return body ? asked(context, clause, finishQuestion(['why', body]), answer, 'phrase', 'infinitive') : undefined;
}

/** "The Broncos won the game by scoring 11 points" → "How did the Broncos win the game?" */
function meansQuestion(context: PassageContext, clause: Clause): SentenceQuestion | undefined {
  const part = clause.parts.find((one) => one.kind === 'means');
  if (!part || part.continued || !isAskable(clause) || clause.verb.copula || isBe(clause)) return undefined;
  const body = invert(context, clause, [partsText(context, clause, [part]), frontedText(context, clause)].filter(Boolean).join(' '));
  return body ? asked(context, clause, finishQuestion(['how', body]), part, 'phrase', 'infinitive') : undefined;
}

const MONTH = /^(january|february|march|april|may|june|july|august|september|october|november|december)$/i;

/**
 * The wh-phrase that stands in place of an answer inside a clause ("in what year", "how many teams",
 * "whom"), for the answers whose kind tells it; undefined for the others ("in what?" says nothing).
 */
function whInPlace(context: PassageContext, sentence: Sentence, answer: Answer): string | undefined {
  const words = sentence.terms.slice(answer.from, answer.to);
  switch (answer.kind) {
    case 'date':
      if (words.length === 1 && /^\d{4}$/.test(words[0]!.text)) return 'what year';
      if (words.length === 1 && /^\d{3}0s$/.test(words[0]!.text)) return 'what decade';
      if (words.some((term) => MONTH.test(term.text))) return words.some((term) => /^\d{1,2}(st|nd|rd|th)?$/i.test(term.text)) ? 'what date' : words.some((term) => /^\d{4}$/.test(term.text)) ? 'what month and year' : 'what month';
      return undefined;
    case 'count':
    case 'money':
      return whFor(context, sentence, answer);
    case 'percent':
      return 'what percentage';
    case 'duration': {
      const unit = words.at(-1)!.text;
      return words.length === 2 && /s$/i.test(unit) ? `how many ${unit.toLowerCase()}` : undefined;
    }
    case 'person':
      // (A word in capitals, "ELISA", is an acronym rather than a person.)
      return whichOf(context, sentence, answer) ?? (words.length <= 3 && words.every((term) => isCapitalised(term) && !/^[\p{Lu}\d-]+$/u.test(term.text)) ? 'whom' : undefined);
    default:
      return answer.category && (answer.named || answer.measured || answer.category.to <= answer.from) ? whichOf(context, sentence, answer) : undefined;
  }
}

/**
 * Questions that keep the clause's order and put the wh-phrase where the answer stood, the way people
 * ask about a detail ("Peyton Manning took how many different teams to the Super Bowl?", "Polonia
 * Warsaw won the country's championship in what year?"): for the phrases after the verb that no other
 * question of the clause asks about. The verb stays as written, so tense and number stay right.
 */
function inPlaceQuestions(context: PassageContext, clause: Clause, entities: Entity[], taken: (start: number, end: number) => boolean): SentenceQuestion[] {
  const { sentence } = clause;
  const { terms } = sentence;
  if (!isAskable(clause) || clause.describedSubject || clause.subject.pronoun && clause.subjectName === undefined) return [];
  const verb = clause.participle ? verbForWhSubject(context, clause, true) : phrase(context, terms, clause.verb.from, clause.verb.to);
  if (!verb) return [];
  const head = [subjectText(context, clause), phrase(context, terms, clause.adverbs.from, clause.adverbs.to), verb];
  const questions: SentenceQuestion[] = [];
  // `parts` follow the words `prefix`; `object` says whether a noun right after them is an object (not after "be" or a passive).
  const ask = (parts: Part[], prefix: string[], object: boolean) => parts.forEach((part, index) => {
    if (!part.phrase || (part.kind !== 'noun' && part.kind !== 'preposition') || part.continued || part.listed) return;
    // ("became the first quarterback": what "be" or "become" says of the subject is no object.)
    if (part.kind === 'noun' && !object) return;
    const found = answerOf(context, sentence, entities, part.phrase);
    // A date, an amount of money or a percentage is the entity alone ("about 10%" of "about 10% of the world's ...").
    const entity = found && ['date', 'money', 'percent'].includes(found.kind) ? entities.find((one) => one.type === found.kind && one.from >= found.from && one.to <= part.phrase!.to) : undefined;
    const answer: Answer | undefined = entity ? { ...found!, from: entity.from, to: entity.to } : found;
    if (!answer || (answer.counted && answer.counted.to !== part.phrase.to)) return;
    // ("between 1350 to 1490", "30 to 50 thousand": one end of a range is no whole answer; "a collection of the V&A's 16,000 objects": a count opens its phrase.)
    const words = terms.slice(part.from, part.to);
    if (words.filter((term) => has(term, 'Value')).length > terms.slice(answer.from, answer.to).filter((term) => has(term, 'Value')).length) return;
    if (answer.kind === 'count' && terms.slice(part.phrase.from, answer.from).some((term) => !has(term, 'Determiner') && !AMOUNT_WORD.test(term.text))) return;
    const previous = terms[answer.from - 1];
    if (/^(to|and|or|-)$/i.test(previous?.text ?? '') && has(terms[answer.from - 2], 'Value')) return;
    const other = terms[answer.to + 1];
    if (/^(and|or|to|until)$/i.test(terms[answer.to]?.text ?? '') && (has(other, 'Value') || has(other, 'Date') || MONTH.test(other?.text ?? ''))) return;
    if (previous && !['Preposition', 'Verb', 'Determiner', 'Adverb'].some((tag) => has(previous, tag)) && !AMOUNT_WORD.test(previous.text)) return;
    const range = rangeOf(context, sentence, answer);
    if (taken(range.start, range.end) || questions.some((one) => one.start < range.end && range.start < one.end)) return;
    const wh = whInPlace(context, sentence, answer);
    // ("on whom", "in whom": a person is not where something happens.)
    if (!wh || (wh === 'whom' && /^(in|on|at|near|into|within)$/.test(part.preposition ?? ''))) return;
    // The phrases before it stay; after it, those of a preposition that go on without a comma.
    const before = parts.slice(0, index).filter((one) => !one.detached).map((one) => phrase(context, terms, one.from, one.to));
    const following: Part[] = [];
    for (const one of parts.slice(index + 1)) {
      if (one.detached || one.kind === 'other' || one.kind === 'infinitive' || one.kind === 'means') break;
      following.push(one);
    }
    // ("to naturalise how many Huguenots still?": an adverb before what is left out hangs on it.)
    if (following.length < parts.length - index - 1) while (following.at(-1)?.kind === 'adverb') following.pop();
    const after = following.map((one) => phrase(context, terms, one.from, one.to));
    // ("by the Parliament of Victoria" → "by which parliament": the article goes with the answer.)
    const lead = phrase(context, terms, part.from, answer.from).replace(/\s*\b(the|a|an)$/i, '');
    const own = [lead, wh, answer.counted ? '' : phrase(context, terms, answer.to, part.to)];
    const fronted = frontedText(context, clause);
    const question = finishQuestion([...(fronted && !part.detached ? [`${fronted},`] : []), ...prefix, ...before, ...own, ...after]);
    questions.push({ ...asked(context, clause, question, answer, answer.kind, part.kind === 'noun' ? 'object' : 'preposition'), confidence: confidenceOf(answer.kind, question, clause) - 0.1 });
  });
  ask(clause.parts, head, !(clause.verb.copula || isBe(clause) || LINKING.test(terms[clause.verb.main]!.text) || isPassive(clause)));
  // Further on, up to the first comma, a date, an amount or a count the parts did not reach ("had 5 sacks
  // in just 9 starts", "that exceed five million in population") is asked in the words of the sentence.
  let end = clause.verb.to;
  while (end < terms.length && !breaksAfter(terms[end - 1]!)) end++;
  for (const entity of entities) {
    if (entity.from < clause.verb.to || entity.to > end || !['date', 'count', 'percent', 'money', 'duration'].includes(entity.type)) continue;
    const noun = entity.type === 'count' ? nounPhraseAt(terms, entity.from, end) : undefined;
    if (entity.type === 'count' && (!noun || noun.to !== entity.to + 1 && noun.to !== entity.to)) continue;
    const answer = entity.type === 'count' ? answerOf(context, sentence, entities, noun!) : { kind: entity.type, from: entity.from, to: entity.to, person: false, plural: false };
    if (!answer || answer.kind !== entity.type) continue;
    const range = rangeOf(context, sentence, answer);
    if (taken(range.start, range.end) || questions.some((one) => one.start < range.end && range.start < one.end)) continue;
    // The word before must open the phrase ("in", "had", "the", "over"), not a noun that the amount goes with.
    let lead = answer.from - 1;
    while (lead > clause.verb.to && AMOUNT_WORD.test(terms[lead]!.text)) lead--;
    const previous = terms[lead]!;
    if (/^(to|and|or|-|than|of)$/i.test(previous.text) || !['Preposition', 'Verb', 'Determiner', 'Adverb'].some((tag) => has(previous, tag)) && !AMOUNT_WORD.test(previous.text)) continue;
    // ("from March to June 2010", "in April and May 2010": one end of a range or pair.)
    const other = terms[entity.to + 1];
    if (has(terms[answer.to], 'Value') || /^(and|or|to|until)$/i.test(terms[entity.to]?.text ?? '') && (has(other, 'Value') || has(other, 'Date') || MONTH.test(other?.text ?? ''))) continue;
    // ("the 2014 MLS season": a date that describes a noun is no answer of its own.)
    if (answer.kind !== 'count' && entity.to < end && isNominal(terms[entity.to]) && !breaksAfter(terms[entity.to - 1]!)) continue;
    const wh = whInPlace(context, sentence, answer);
    // ("... to naturalise how many Huguenots still?": a question that ends in an adverb is cut mid-phrase.)
    if (!wh || end > answer.to && has(terms[end - 1], 'Adverb')) continue;
    const after = answer.kind === 'count' ? answer.counted!.to : answer.to;
    const before = phrase(context, terms, clause.verb.to, answer.from).replace(/\s*\b(the|a|an)$/i, '');
    const rest = phrase(context, terms, after, end);
    // ("is unknown at present which of how many states?": a second wh-word garbles the question.)
    if (/\b(which|what|who|whom|whose|whether|how|why|where|when)\b/i.test(`${before} ${rest}`)) continue;
    const question = finishQuestion([...head, before, wh, rest]);
    questions.push({ ...asked(context, clause, question, answer, answer.kind, 'object'), confidence: confidenceOf(answer.kind, question, clause) - 0.12 });
  }
  // "became the first quarterback ever to lead two different teams to multiple Super Bowls": the phrases
  // after the verb of an infinitive ("to lead") are asked the same way, with all that leads up to them.
  const index = clause.parts.findIndex((part) => part.kind === 'infinitive' && !part.detached);
  const infinitive = clause.parts[index];
  if (infinitive && /^to$/i.test(terms[infinitive.from]!.text) && has(terms[infinitive.from + 1], 'Verb') && !has(terms[infinitive.from + 1], 'Copula')) {
    const verbAt = infinitive.from + 1;
    const before = clause.parts.slice(0, index).filter((one) => !one.detached).map((one) => phrase(context, terms, one.from, one.to));
    ask(partsAfter(terms, verbAt + 1, infinitive.to), [...head, ...before, 'to', phrase(context, terms, verbAt, verbAt + 1)], true);
  }
  return questions;
}

/** "Brian Johnson, a member of Geordie, became ..." → "Who was Brian Johnson?" */
function appositiveQuestion(context: PassageContext, clause: Clause): SentenceQuestion | undefined {
  const { sentence } = clause;
  const { terms } = sentence;
  const appositive = clause.appositive;
  if (!appositive || appositive.pronoun || clause.relative || !isCapitalised(terms[clause.subject.head]) || !isSpecific(terms, clause.subject)) return undefined;
  const head = terms[appositive.head]!;
  // A description ("a member of Geordie", "the capital"), not a second name or a number.
  if (isCapitalised(head) && !/^(a|an|the)$/i.test(terms[appositive.from]!.text) || has(head, 'Value')) return undefined;
  const plural = isPlural(terms, clause.subject);
  const copula = clause.verb.past ? (plural ? 'were' : 'was') : plural ? 'are' : 'is';
  const wh = namesPerson(terms, clause.subject) || namesPerson(terms, appositive) ? 'who' : 'what';
  const question = finishQuestion([wh, copula, subjectText(context, clause)]);
  return { question, ...rangeOf(context, sentence, appositive), confidence: BASE_CONFIDENCE.definition, kind: 'definition', role: 'predicate' };
}

/** True when a noun phrase is a name ("Momus", "the Hauteville family", "Drogo"): its head is capitalised inside the sentence. */
function isName(context: PassageContext, terms: Term[], noun: NounPhrase): boolean {
  const head = terms[noun.head]!;
  if (!isCapitalised(head) || has(head, 'Value') || noun.pronoun) return false;
  if (noun.head === 0 && context.casing.isCommonWord(head.text)) return false;
  return /^(the)$/i.test(terms[noun.from]!.text) || isCapitalised(terms[noun.from]);
}

/** True when a noun phrase describes rather than names: a common noun after an article or a possessive ("Warsaw's first literary cabaret"). */
function isDescription(terms: Term[], noun: NounPhrase): boolean {
  const head = terms[noun.head]!;
  if (isCapitalised(head) || has(head, 'Value') || noun.pronoun || !isNominal(head)) return false;
  const first = terms[noun.from]!;
  return /^(the|a|an)$/i.test(first.text) || (/['\u2019]s$/.test(first.text) && noun.head > noun.from);
}

/** The noun phrase that ends right before term `end` and starts where a phrase may start (the longest such). */
function phraseEndingAt(terms: Term[], end: number): NounPhrase | undefined {
  for (let from = Math.max(0, end - 8); from < end; from++) {
    const previous = terms[from - 1];
    const boundary = !previous || breaksAfter(previous) || has(previous, 'Preposition') || has(previous, 'Verb') || has(previous, 'Conjunction');
    const noun = boundary ? nounPhraseAt(terms, from, end) : undefined;
    if (noun && noun.to === end && !noun.pronoun) return noun;
  }
  return undefined;
}

const SUBORDINATOR = /^(after|before|although|though|while|when|because|since|if|as|once|until|unless|despite|following|during)$/i;

/** A definite description can be asked about ("the Hauteville leader", "Warsaw's first literary cabaret"); "a Roman fort" may be one of many. */
const isDefinite = (terms: Term[], noun: NounPhrase) => /^the$/i.test(terms[noun.from]!.text) || /['\u2019]s$/.test(terms[noun.from]!.text);

/**
 * Appositions anywhere in a sentence, asked both ways: "the theatre complex also included Momus,
 * Warsaw's first literary cabaret," → "What was Momus?" and "What was Warsaw's first literary
 * cabaret?"; "the Hauteville leader, Drogo," → "Who was the Hauteville leader?".
 */
function appositionQuestions(context: PassageContext, sentence: Sentence, entities: Entity[]): SentenceQuestion[] {
  const { terms } = sentence;
  const questions: SentenceQuestion[] = [];
  const past = sentence.verbs.some((verb) => verb.past || /^(did|was|were|had)/i.test(verb.auxiliary));
  const text = (noun: NounPhrase) => (noun.from === 0 ? context.casing.inside(phrase(context, terms, noun.from, noun.to)) : phrase(context, terms, noun.from, noun.to));
  for (let k = 0; k < terms.length - 1; k++) {
    if (!/^,\s*$/.test(terms[k]!.after)) continue;
    const first = phraseEndingAt(terms, k + 1);
    const second = nounPhraseAt(terms, k + 1);
    if (!first || !second || second.pronoun) continue;
    // The second phrase ends the apposition: a comma, a bracket, a dash or the sentence's end after it.
    if (second.to < terms.length && !breaksAfter(terms[second.to - 1]!)) continue;
    // "Lublin, the capital, and Kraków", "Tesla, Oliver Lodge, and John Stone": a list, not an apposition.
    const joined = (noun: NounPhrase) => terms.slice(noun.from, noun.to).some((term) => /^(and|or|&)$/i.test(term.text));
    if (/^(and|or)$/i.test(terms[second.to]?.text ?? '') || joined(first) || joined(second)) continue;
    // "After the Muslim conquests, the Persian scholar ...": the comma closes a phrase that opens the sentence.
    if (terms.slice(0, first.from).some((term) => has(term, 'Preposition') || SUBORDINATOR.test(term.text)) && !terms.slice(0, first.from).some((term) => breaksAfter(term))) continue;
    const pairs: [NounPhrase, NounPhrase][] = [];
    if (isName(context, terms, first) && isDescription(terms, second)) pairs.push([first, second]);
    // ("the CBS News archive, Australia": a place after a comma says where, it does not rename.)
    if (isDescription(terms, first) && isName(context, terms, second) && !has(terms[second.head], 'Place')) pairs.push([second, first]);
    for (const [name, description] of pairs) {
      // "a company" tells nothing about its name; "a Roman fort and bridge" does.
      if (description.to - description.from < 3) continue;
      const plural = isPlural(terms, name);
      const copula = past ? (plural ? 'were' : 'was') : plural ? 'are' : 'is';
      const wh = namesPerson(terms, name) || namesPerson(terms, description) ? 'who' : 'what';
      questions.push({ question: finishQuestion([wh, copula, text(name)]), ...rangeOf(context, sentence, description), confidence: BASE_CONFIDENCE.definition - 0.05, kind: 'definition', role: 'predicate' });
      const answer = isDefinite(terms, description) ? answerOf(context, sentence, entities, name) : undefined;
      if (answer) questions.push({ question: finishQuestion([wh, copula, text(description)]), ...rangeOf(context, sentence, answer), confidence: BASE_CONFIDENCE[answer.kind] - 0.05, kind: answer.kind, role: 'predicate' });
    }
  }
  return questions;
}

/** The noun phrases of a list that `first` opens: "one Combined Statistical Area, eight Metropolitan Statistical Areas, ... and multiple metropolitan divisions". */
function listItems(terms: Term[], first: NounPhrase): NounPhrase[] {
  const items = [first];
  let last = first;
  while (items.length < 12 && (/^,\s*$/.test(terms[last.to - 1]!.after) || /^(and|or)$/i.test(terms[last.to]?.text ?? ''))) {
    const and = /^(and|or)$/i.test(terms[last.to]?.text ?? '');
    const item = nounPhraseAt(terms, and ? last.to + 1 : last.to);
    if (!item || item.pronoun) break;
    items.push(item);
    last = item;
    if (and) break;
  }
  return items;
}

/**
 * A list of counts after the verb, one question per item: "Davis compiled 5½ sacks, four forced
 * fumbles, and four interceptions" → "How many interceptions did Davis compile?"; "Southern California
 * consists of one Combined Statistical Area, eight Metropolitan Statistical Areas, ..." → "How many
 * Metropolitan Statistical Areas does Southern California consist of?".
 */
function countListQuestions(context: PassageContext, clause: Clause, entities: Entity[]): SentenceQuestion[] {
  const { sentence } = clause;
  const { terms } = sentence;
  const index = clause.parts.findIndex((part) => part.listed);
  const part = clause.parts[index];
  if (!part?.phrase || !isAskable(clause) || clause.verb.copula || isBe(clause) || isPassive(clause)) return [];
  // The object right after the verb, or the phrase of a preposition right after it ("consists of").
  if (!clause.parts.slice(0, index).every((one) => one.kind === 'adverb') || (part.kind !== 'noun' && part.kind !== 'preposition')) return [];
  const items = listItems(terms, part.phrase);
  const rest = [partsText(context, clause, [part]), part.kind === 'preposition' ? part.preposition : ''].filter(Boolean).join(' ');
  const body = invert(context, clause, [rest, frontedText(context, clause)].filter(Boolean).join(' '));
  if (!body || items.length < 2) return [];
  const questions: SentenceQuestion[] = [];
  const nouns = new Set<string>();
  for (const item of items) {
    const answer = answerOf(context, sentence, entities, item);
    if (answer?.kind !== 'count' || answer.counted!.to !== item.to) continue;
    const counted = phrase(context, terms, answer.counted!.from, answer.counted!.to);
    // Two items that count the same noun would ask the same question.
    if (nouns.has(counted.toLowerCase())) return [];
    nouns.add(counted.toLowerCase());
    questions.push(asked(context, clause, finishQuestion([`how many ${counted}`, body]), answer, 'count', part.kind === 'noun' ? 'object' : 'preposition'));
  }
  return questions;
}

/**
 * "From 2005 to 2014, there were two Major League Soccer teams in Los Angeles" → "How many Major League
 * Soccer teams were there in Los Angeles from 2005 to 2014?": a count after "there is / are / was / were",
 * with the phrases of a preposition after it and a short fronted phrase of one.
 */
function existentialQuestions(context: PassageContext, sentence: Sentence, entities: Entity[]): SentenceQuestion[] {
  const { terms } = sentence;
  const questions: SentenceQuestion[] = [];
  for (let k = 0; k + 2 < terms.length; k++) {
    if (!/^there$/i.test(terms[k]!.text) || !/^(is|are|was|were)$/i.test(terms[k + 1]!.text) || breaksAfter(terms[k]!) || breaksAfter(terms[k + 1]!)) continue;
    // What stands before "there": nothing, or a short phrase of a preposition ("In 1909", "From 2005 to 2014,").
    const opener = terms.slice(0, k);
    const fronted = k === 0 ? '' : k <= 6 && has(terms[0], 'Preposition') && !opener.slice(0, -1).some(breaksAfter) && !SUBORDINATOR.test(terms[0]!.text) ? context.casing.inside(phrase(context, terms, 0, k)) : undefined;
    if (fronted === undefined) continue;
    const noun = nounPhraseAt(terms, k + 2);
    const answer = noun && !noun.pronoun ? answerOf(context, sentence, entities, noun) : undefined;
    if (!noun || answer?.kind !== 'count' || answer.counted!.to !== noun.to) continue;
    // The phrases of a preposition after the noun, up to a comma or the sentence's end ("in Los Angeles").
    let end = noun.to;
    while (end < terms.length && !breaksAfter(terms[end - 1]!) && has(terms[end], 'Preposition') && !/^(of|than|as|that|which)$/i.test(terms[end]!.text)) {
      const object = nounPhraseAt(terms, end + 1);
      if (!object || object.pronoun) break;
      end = object.to;
    }
    // (Up to a comma, the sentence's end, or "and" / "but" before another clause: "There are 750 MEPs and their numbers are ...".)
    if (end < terms.length && !breaksAfter(terms[end - 1]!) && !/^(and|but)$/i.test(terms[end]!.text)) continue;
    const counted = phrase(context, terms, answer.counted!.from, answer.counted!.to);
    const question = finishQuestion([`how many ${counted}`, terms[k + 1]!.text.toLowerCase(), 'there', phrase(context, terms, noun.to, end), fronted]);
    questions.push({ question, ...rangeOf(context, sentence, answer), confidence: BASE_CONFIDENCE.count, kind: 'count', role: 'object' });
  }
  return questions;
}

/** Words that count a noun without pointing elsewhere: "each packet" reads well in a question, "this packet" does not. */
const QUANTIFIER = /^(each|every|all|some|many|most|several|both|few)$/i;

/**
 * True when the clause's subject can stand in a question: a specific noun phrase, a quantified noun
 * ("each packet", "some buyers"), or a pronoun whose person is known.
 */
function isAskable(clause: Clause): boolean {
  const { terms } = clause.sentence;
  const { subject } = clause;
  const quantified = QUANTIFIER.test(terms[subject.from]!.text) && subject.head > subject.from && !has(terms[subject.head], 'Value') && !has(terms[subject.from + 1], 'Determiner');
  // "Why is 1629–1631 associated with ...?": a bare number does not say what it is about.
  if (clause.subjectName === undefined && terms.slice(subject.from, subject.to).every((term) => has(term, 'Value'))) return false;
  // "their most famous song": whose it is, the question cannot say.
  if (clause.subjectName === undefined && /^(his|her|its|their|our|my|your)$/i.test(terms[subject.from]!.text)) return false;
  return clause.subjectName !== undefined || isSpecific(terms, subject) || quantified;
}

/**
 * What the pronouns of a sentence may stand for, from the sentences before it: "he" and "she" for the
 * last person named as a subject, "it" and "they" for the subject of the sentence just before, when
 * that subject is a specific thing (or group) of the same number.
 */
export interface Referents {
  person?: string;
  singular?: string;
  plural?: string;
}

/**
 * For "he" or "she" in a later clause of a sentence whose earlier clause has a named person as its subject
 * ("Archaeologist Barney Sloane has argued ...; he argues ..."): that person, not one of the sentence before.
 */
function sentencePerson(context: PassageContext, clause: Clause, entities: Entity[]): string | undefined {
  const { sentence } = clause;
  if (!clause.subject.pronoun || !/^(he|she)$/i.test(sentence.terms[clause.subject.from]!.text)) return undefined;
  const earlier = clausesOf(sentence).find((one) => one.subject.to <= clause.subject.from && !one.subject.pronoun && !one.relative);
  const answer = earlier ? answerOf(context, sentence, entities, earlier.subject) : undefined;
  if (!earlier || !answer || !(answer.person || answer.kind === 'person') || isPlural(sentence.terms, earlier.subject) || !isCapitalised(sentence.terms[earlier.subject.head])) return undefined;
  return phrase(context, sentence.terms, answer.from, answer.to);
}

function referentOf(clause: Clause, referents: Referents): string | undefined {
  const word = clause.sentence.terms[clause.subject.from]!.text.toLowerCase();
  if (!clause.subject.pronoun) return undefined;
  if (word === 'he' || word === 'she') return referents.person;
  if (word === 'it') return referents.singular;
  if (word === 'they') return referents.plural;
  return undefined;
}

/**
 * Every question the clauses of a sentence give, one per answer candidate: its subject, its object,
 * the phrases after its verb, a fronted date or place, and (for "X is a Y") its predicate. A pronoun
 * subject is replaced by what it stands for, when `referents` know it.
 */
export function sentenceQuestions(context: PassageContext, sentence: Sentence, referents: Referents = {}): SentenceQuestion[] {
  const entities = findEntities(sentence);
  const questions: SentenceQuestion[] = [];
  const push = (question: SentenceQuestion | undefined) => {
    // "What raises it further?": a pronoun in the question leaves open what it asks about.
    if (!question || /\b(it|they|them|he|she|him|this|these|those)\b/i.test(question.question)) return;
    if (question.question.split(' ').length <= MAX_QUESTION_WORDS && context.isClean(question.start, question.end)) questions.push(question);
  };
  for (const read of clausesOf(sentence)) {
    // "burned a mixture of acetylene and compressed oxygen": a question would cut the phrase that goes on
    // after "and". A later phrase of a preposition that does ("widened his target from individual pieties
    // like indulgences and pilgrimages") is left out with what follows it.
    const cut = read.parts.findIndex((part) => part.continued && !part.detached);
    const kept = cut > 0 && read.parts[cut]!.kind === 'preposition' && read.parts.slice(0, cut).some((part) => part.kind !== 'adverb') ? read.parts.slice(0, cut) : undefined;
    if (cut >= 0 && !kept) continue;
    const parsed = kept ? { ...read, parts: kept } : read;
    const referent = referentOf(parsed, sentencePerson(context, parsed, entities) !== undefined ? { ...referents, person: sentencePerson(context, parsed, entities) } : referents);
    const clause = referent !== undefined ? { ...parsed, subjectName: referent } : parsed;
    push(subjectQuestion(context, clause, entities));
    for (const question of complementQuestions(context, clause, entities)) push(question);
    push(frontedQuestion(context, clause, entities));
    push(predicateQuestion(context, clause, entities));
    push(infinitiveQuestion(context, clause));
    push(infinitiveObjectQuestion(context, clause, entities));
    for (const question of countListQuestions(context, clause, entities)) push(question);
    push(meansQuestion(context, clause));
    push(reasonQuestion(context, clause));
    push(reportQuestion(context, clause));
    push(appositiveQuestion(context, clause));
    for (const question of kindQuestions(context, clause)) push(question);
    const taken = (start: number, end: number) => questions.some((one) => one.start === start && one.end === end);
    for (const question of inPlaceQuestions(context, clause, entities, taken)) push(question);
  }
  for (const question of appositionQuestions(context, sentence, entities)) push(question);
  for (const question of existentialQuestions(context, sentence, entities)) push(question);
  return questions;
}

/** The last person a sentence names (a tagged name of two words or more, or one that is the subject): who "he" may be next. */
function lastPersonNamed(context: PassageContext, sentence: Sentence): string | undefined {
  const people = findEntities(sentence).filter((entity) => entity.type === 'person' && PERSON_TAGS.some((tag) => has(sentence.terms[entity.to - 1], tag)));
  const last = people.at(-1);
  return last ? phrase(context, sentence.terms, last.from, last.to) : undefined;
}

/** The referents after a sentence: its main clause's subject, when that is a specific noun phrase, and the last person it names. */
function nextReferents(context: PassageContext, sentence: Sentence, before: Referents): Referents {
  const clause = clausesOf(sentence).find((one) => !one.relative && !one.coordinated);
  const named = lastPersonNamed(context, sentence) ?? before.person;
  const next: Referents = named !== undefined ? { person: named } : {};
  if (!clause || clause.subject.pronoun || clause.describedSubject || !isSpecific(sentence.terms, clause.subject)) return next;
  const { terms } = sentence;
  const answer = answerOf(context, sentence, findEntities(sentence), clause.subject);
  const text = subjectText(context, clause);
  const person = answer !== undefined && (answer.person || answer.kind === 'person');
  // A name, not a common noun that opens the sentence ("Students thronged ...").
  const head = terms[clause.subject.head]!;
  if (person && isCapitalised(head) && (clause.subject.head > 0 || !context.casing.isCommonWord(head.text)) && !isPlural(terms, clause.subject)) next.person = text;
  // Only a name, a phrase with a name in it, or what the section is about ("# Tokenizer ... The tokenizer
  // ..."), stands in for "it" or "they": "the city" of one sentence is often not the "it" of the next.
  const topic = context.passage.headings.some((heading) => heading.toLowerCase().includes(head.text.toLowerCase()));
  // ("Warsaw's first stock exchange", "the Panthers defense": a name inside the phrase makes it one thing.)
  const hasName = terms.slice(clause.subject.from, clause.subject.to).some((term, k) => isCapitalised(term) && (clause.subject.from + k > 0 || has(term, 'ProperNoun')) && !has(term, 'Value'));
  if (person || !(hasName || topic) || has(terms[clause.subject.from], 'Value') || /^(his|her|its|their|our|my|your|a|an)$/i.test(terms[clause.subject.from]!.text)) return next;
  if (isPlural(terms, clause.subject)) next.plural = text;
  else next.singular = text;
  return next;
}

/** The sentence questions of a passage, made once and shared by the generators that pick from them. */
const cache = new WeakMap<PassageContext, SentenceQuestion[]>();
export function passageQuestions(context: PassageContext): SentenceQuestion[] {
  let questions = cache.get(context);
  if (!questions) {
    questions = [];
    let referents: Referents = {};
    for (const sentence of context.sentences()) {
      questions.push(...sentenceQuestions(context, sentence, referents));
      referents = nextReferents(context, sentence, referents);
    }
    cache.set(context, questions);
  }
  return questions;
}

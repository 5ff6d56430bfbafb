import nlp from 'compromise';

/** How a generated question must begin: a wh-word (optionally after a preposition) or an auxiliary verb. */
const QUESTION_START =
  /^(?:(?:in|on|at|to|by|from|for|with|of|since|until|during|under|after|before) )?(?:what|which|who|whom|whose|when|where|why|how)\b|^(?:is|are|was|were|do|does|did|can|could|should|would|will|has|have|had|may|must)\b/i;

/** A wh-phrase inside the question, where the answer stands ("Peyton Manning took how many teams to the Super Bowl?"). */
const WH_IN_PLACE = /\s(?:(?:what|which) \S+|whom|who|how many \S+|how much)(?:\s|\?$)/i;

export function readsAsQuestion(question: string): boolean {
  return (QUESTION_START.test(question) || WH_IN_PLACE.test(question)) && question.endsWith('?') && !question.slice(0, -1).includes('?');
}

/** Words a complete question cannot end with: they open a phrase that is missing ("... of the?", "... and?"). */
const DANGLING_END = /^(the|a|an|this|that|these|those|its|their|his|her|our|my|your|and|or|but|nor|so|yet|while|although|because|if|than|whether|which|who|whose|very|such|not|also|either|neither|every)$/i;
const PAIRS: [string, string][] = [['(', ')'], ['[', ']'], ['\u201c', '\u201d']];

/**
 * Why a question is not a complete, well-formed question, or undefined when it is one. A question
 * needs a question word or a fronted auxiliary, a verb, no phrase cut off at its end, balanced brackets
 * and quotes, and a single sentence.
 */
export function fragmentReason(question: string): string | undefined {
  if (!readsAsQuestion(question)) return 'does not start and end as a question';
  const body = question.slice(0, -1).trim();
  const words = body.split(/\s+/);
  if (words.length < 3) return 'too short';
  if (words.length > 30) return 'too long';
  if (question.includes('_')) return 'has a blank';
  const last = words.at(-1)!.replace(/[,;:.]+$/, '');
  if (DANGLING_END.test(last) || /[,;:\u2013\u2014-]$/.test(body) || /['\u2019]s?$/.test(last)) return `ends with "${last}"`;
  for (const [open, close] of PAIRS) if (body.split(open).length !== body.split(close).length) return `unbalanced ${open}${close}`;
  if ((body.match(/"/g)?.length ?? 0) % 2 !== 0) return 'unbalanced quotes';
  // An opening single quote needs a closing one that is not an apostrophe ("‘often damaging’").
  if (/\u2018/.test(body) && !/\u2018[^\u2018]*\u2019(?!\p{L})/u.test(body)) return 'unbalanced quotes';
  if (/\b(a|an|the)\s+(in|on|at|of|for|to|by|with|from|and|or|the|a|an|is|was|are|were)\b/i.test(body)) return 'an article without its noun';
  if (/\p{Ll}{3,}[.!?]\s/u.test(body)) return 'more than one sentence';
  for (let i = 1; i < words.length; i++) if (words[i]!.toLowerCase() === words[i - 1]!.toLowerCase() && /^\p{L}+$/u.test(words[i]!)) return `repeats "${words[i]}"`;
  if (/^(by|to|from|with|for|of|into|after|about|on|in|as|at|via|through|over|under)$/i.test(last) && words.length < 5) return `ends with "${last}" with nothing to strand it`;
  const parsed = nlp(body);
  if (!parsed.has('#Verb')) return 'has no verb';
  // "What uses slightly different?": a describing word at the end lacks its noun.
  const terms = (parsed.json() as { terms: { text: string; tags: string[] }[] }[]).flatMap((sentence) => sentence.terms);
  const final = terms.at(-1);
  // ("open" after "did ... " is the verb, though it is read as an adjective.)
  const auxiliaryFirst = /^(?:\S+\s+)*?(did|does|do|can|could|will|would|should|may|might|must)\s/i.test(body);
  if (final && final.tags.includes('Adjective') && !final.tags.includes('Noun') && !final.tags.includes('Verb') && !auxiliaryFirst) return `ends with the adjective "${final.text}"`;
  return undefined;
}

/** True when a question is complete: see fragmentReason. */
export function isCompleteQuestion(question: string): boolean {
  return fragmentReason(question) === undefined;
}

/** Joins words into a question: single spaces, no space before punctuation, a capital first letter, one '?'. */
export function finishQuestion(parts: (string | undefined)[]): string {
  let text = parts.filter((part) => part !== undefined && part !== '').join(' ');
  text = text.replace(/\s+/g, ' ').replace(/\s+([,;:.!?)\]])/g, '$1').replace(/([(\[])\s+/g, '$1').trim();
  text = text.replace(/[\s,;:.!?\-–—]+$/, '');
  return text.charAt(0).toUpperCase() + text.slice(1) + '?';
}

/** How a generated question must begin: a wh-word (optionally after a preposition) or an auxiliary verb. */
const QUESTION_START =
  /^(?:(?:in|on|at|to|by|from|for|with|of|since|until|during|under|after|before) )?(?:what|which|who|whom|whose|when|where|why|how)\b|^(?:is|are|was|were|do|does|did|can|could|should|would|will|has|have|had|may|must)\b/i;

export function readsAsQuestion(question: string): boolean {
  return QUESTION_START.test(question) && question.endsWith('?') && !question.slice(0, -1).includes('?');
}

/** Joins words into a question: single spaces, no space before punctuation, a capital first letter, one '?'. */
export function finishQuestion(parts: (string | undefined)[]): string {
  let text = parts.filter((part) => part !== undefined && part !== '').join(' ');
  text = text.replace(/\s+/g, ' ').replace(/\s+([,;:.!?)\]])/g, '$1').replace(/([(\[])\s+/g, '$1').trim();
  text = text.replace(/[\s,;:.!?\-–—]+$/, '');
  return text.charAt(0).toUpperCase() + text.slice(1) + '?';
}

/** Lower-cases a sentence's first word unless it is a name, an acronym or "I". */
export function lowerFirstWord(phrase: string, isName: boolean): string {
  const first = phrase.split(' ')[0] ?? '';
  if (isName || first === 'I' || /^[\p{Lu}\d]{2,}/u.test(first) || /\p{Lu}/u.test(first.slice(1))) return phrase;
  return phrase.charAt(0).toLowerCase() + phrase.slice(1);
}

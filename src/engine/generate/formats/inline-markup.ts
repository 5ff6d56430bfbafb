import type { Mask } from './blocks';

/**
 * Blanks inline Markdown markup in [start, end): emphasis marks, code backticks, link targets, images,
 * inline HTML and escapes. The words stay where they are, so offsets keep their meaning.
 */
export function blankInlineMarkdown(mask: Mask, text: string, start: number, end: number): void {
  mask.blankMatches(text, start, end, /<!--[\s\S]*?-->/g);
  mask.blankMatches(text, start, end, /!\[[^\]\n]*\]\([^)\n]*\)/g);
  // [text](target) and [text][ref]: keep the text, blank the brackets and the target.
  mask.blankMatches(text, start, end, /(\[)[^\]\n]+\]\([^)\n]*\)/g, 1);
  mask.blankMatches(text, start, end, /\[[^\]\n]+(\]\([^)\n]*\))/g, 1);
  mask.blankMatches(text, start, end, /(\[)[^\]\n]+\]\[[^\]\n]*\]/g, 1);
  mask.blankMatches(text, start, end, /\[[^\]\n]+(\]\[[^\]\n]*\])/g, 1);
  mask.blankMatches(text, start, end, /<\/?[A-Za-z][^<>\n]*>/g);
  mask.blankMatches(text, start, end, /(<)(?:https?|mailto):[^<>\s]+>/g, 1);
  mask.blankMatches(text, start, end, /<(?:https?|mailto):[^<>\s]+(>)/g, 1);
  mask.blankMatches(text, start, end, /`+/g);
  mask.blankMatches(text, start, end, /\*\*|__|~~/g);
  // A single * or _ marks emphasis only at a word's edge (snake_case keeps its underscore).
  mask.blankMatches(text, start, end, /(?<![\w*])[*_](?=[^\s*_])|(?<=[^\s*_])[*_](?![\w*])/g);
  mask.blankMatches(text, start, end, /\\(?=[\\`*_{}[\]()#+\-.!|<>])/g);
}

const HTML_ENTITY = /&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g;

/** Blanks HTML character references: an answer must not contain one (its text would differ from the file). */
export function blankEntities(mask: Mask, text: string, start: number, end: number): void {
  mask.blankMatches(text, start, end, HTML_ENTITY);
}

import { BlockBuilder, isBlank, splitLines, type Mask, type ParsedDocument } from './blocks';

/** Delimited blocks whose content is not prose: listings, literals, passthroughs, comments, tables. */
const SKIPPED_DELIMITER = /^(-{4,}|\.{4,}|\+{4,}|\/{4,}|\|={3,}|`{3,})\s*$/;
/** Delimited blocks whose content is prose (examples, sidebars, quotes): only the delimiter goes. */
const KEPT_DELIMITER = /^(={4,}|\*{4,}|_{4,}|--)\s*$/;
const HEADING = /^(={1,6})\s+\S/;
const LIST_ITEM = /^\s*(\*{1,5}|\.{1,5}|-|\d{1,3}\.)\s+/;

function blankInlineAsciidoc(mask: Mask, text: string, start: number, end: number): void {
  // link:url[text] and https://url[text]: keep the text.
  mask.blankMatches(text, start, end, /((?:link:|https?:\/\/)[^\s[\]]+\[)[^\]\n]*\]/g, 1);
  mask.blankMatches(text, start, end, /(?:link:|https?:\/\/)[^\s[\]]+\[[^\]\n]*(\])/g, 1);
  mask.blankMatches(text, start, end, /\*\*|__|##|``|(?<![\w*`#])[*_`#](?=\S)|(?<=\S)[*_`#](?![\w*`#])/g);
  mask.blankMatches(text, start, end, /\{[\w-]+\}/g);
}

/** AsciiDoc: `=` titles, paragraphs, lists, attribute entries; listings, comments and tables are barriers. */
export function parseAsciidoc(text: string): ParsedDocument {
  const builder = new BlockBuilder(text, blankInlineAsciidoc);
  const { mask } = builder;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.text.trim();
    if (isBlank(line)) {
      builder.flush();
      continue;
    }
    if (SKIPPED_DELIMITER.test(trimmed)) {
      let j = i + 1;
      while (j < lines.length && lines[j]!.text.trim() !== trimmed) j++;
      builder.skipLines(lines, i, j);
      i = j;
      continue;
    }
    if (KEPT_DELIMITER.test(trimmed)) {
      builder.flush();
      mask.blank(line.start, line.end);
      continue;
    }
    if (/^\/\//.test(trimmed) || /^\[[^\]]*\]$/.test(trimmed) || /^\.[^\s.]/.test(trimmed) || /^(include|image|ifdef|ifndef|endif)::/.test(trimmed)) {
      // Line comment, block attributes, block title, or directive.
      builder.flush();
      mask.blank(line.start, line.end);
      continue;
    }
    const heading = HEADING.exec(line.text);
    if (heading) {
      mask.blank(line.start, line.start + heading[1]!.length);
      builder.heading(line, heading[1]!.length);
      continue;
    }
    const attribute = /^(:)[\w][\w-]*(:)\s/.exec(line.text);
    if (attribute) {
      // Attribute entry ":version: 1.2" reads as "version: 1.2".
      mask.blank(line.start, line.start + 1);
      builder.flush();
      builder.addLine(line);
      builder.flush();
      continue;
    }
    const item = LIST_ITEM.exec(line.text);
    if (item) {
      mask.blank(line.start, line.start + item[0].length);
      builder.startListItem(line);
      continue;
    }
    builder.addLine(line);
  }
  builder.flush();
  return { format: 'asciidoc', plain: mask.toString(), blocks: builder.blocks };
}

import { BlockBuilder, isBlank, splitLines, type Mask, type ParsedDocument } from './blocks';

const ADORNMENT = /^([=\-`:'"~^_*+#<>.])\1{2,}\s*$/;
const LIST_ITEM = /^\s*([-*+•]|#\.|\d{1,3}[.)])\s+/;

function blankInlineRst(mask: Mask, text: string, start: number, end: number): void {
  // `text <url>`_ and `text`_ links: keep the text.
  mask.blankMatches(text, start, end, /`[^`<\n]+(\s*<[^>\n]+>`__?)/g, 1);
  mask.blankMatches(text, start, end, /:[a-z][\w:+.-]*:(?=`)/g);
  mask.blankMatches(text, start, end, /`_{0,2}|\*\*|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|\|(?=\w)|(?<=\w)\|_{0,2}/g);
  mask.blankMatches(text, start, end, /\[\d+\]_|\[#\w*\]_/g);
}

/** reStructuredText: underlined (and overlined) section titles, paragraphs, lists; directives and literal blocks are barriers. */
export function parseRst(text: string): ParsedDocument {
  const builder = new BlockBuilder(text, blankInlineRst);
  const { mask } = builder;
  const lines = splitLines(text);
  // Levels follow the order in which adornment styles first appear, as in docutils.
  const styles: string[] = [];
  const levelOf = (style: string) => {
    if (!styles.includes(style)) styles.push(style);
    return styles.indexOf(style) + 1;
  };
  const skipIndented = (from: number): number => {
    let j = from + 1;
    while (j < lines.length && (isBlank(lines[j]!) || /^\s/.test(lines[j]!.text))) j++;
    return j - 1;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1];
    if (isBlank(line)) {
      builder.flush();
      continue;
    }
    if (ADORNMENT.test(line.text) && next && !isBlank(next) && ADORNMENT.test(lines[i + 2]?.text ?? '')) {
      // Overlined title: adornment, title, adornment.
      mask.blank(line.start, line.end);
      mask.blank(lines[i + 2]!.start, lines[i + 2]!.end);
      builder.heading(next, levelOf('o' + line.text.trim()[0]));
      i += 2;
      continue;
    }
    if (!builder.open && next && ADORNMENT.test(next.text) && next.text.trim().length >= line.text.trim().length) {
      mask.blank(next.start, next.end);
      builder.heading(line, levelOf('u' + next.text.trim()[0]));
      i++;
      continue;
    }
    if (ADORNMENT.test(line.text)) {
      builder.flush();
      mask.blank(line.start, line.end);
      continue;
    }
    if (/^\s*\.\.(\s|$)/.test(line.text)) {
      // Directive, comment, target or footnote with its indented body.
      const last = skipIndented(i);
      builder.skipLines(lines, i, last);
      i = last;
      continue;
    }
    if (/^\s*:[^:\s][^:]*:\s/.test(line.text) && !builder.open) {
      // Field list ":Author: Me" reads as "Author: Me".
      const colon = line.start + line.text.indexOf(':');
      mask.blank(colon, colon + 1);
      builder.addLine(line);
      builder.flush();
      continue;
    }
    if (LIST_ITEM.test(line.text)) {
      const marker = LIST_ITEM.exec(line.text)!;
      mask.blank(line.start, line.start + marker[0].length);
      builder.startListItem(line);
      continue;
    }
    builder.addLine(line);
    if (/::\s*$/.test(line.text)) {
      // "Paragraph::" introduces an indented literal block; "::" alone is not text.
      mask.blankMatches(text, line.start, line.end, /(?<=\S):(?=:\s*$)|^\s*::\s*$/g);
      builder.flush();
      let j = i + 1;
      while (j < lines.length && isBlank(lines[j]!)) j++;
      if (j < lines.length && /^\s/.test(lines[j]!.text)) {
        const last = skipIndented(j);
        builder.skipLines(lines, j, last);
        i = last;
      }
    }
  }
  builder.flush();
  return { format: 'rst', plain: mask.toString(), blocks: builder.blocks };
}

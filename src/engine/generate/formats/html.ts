import { Mask, collapse, type Barrier, type Block, type ParsedDocument } from './blocks';
import { blankEntities } from './inline-markup';

const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>|<\?[^>]*>|<(\/?)([a-zA-Z][\w-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
/** Elements whose content is not prose: skipped whole. `pre` is code, so it also breaks passages. */
const SKIPPED = new Set(['script', 'style', 'template', 'svg', 'noscript', 'head', 'nav', 'pre', 'math', 'iframe', 'object', 'button', 'select', 'textarea']);
const BLOCK = new Set([
  'p', 'div', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tfoot',
  'tr', 'td', 'th', 'caption', 'blockquote', 'section', 'article', 'aside', 'header', 'footer', 'main', 'body', 'html',
  'figure', 'figcaption', 'details', 'summary', 'form', 'fieldset', 'legend', 'address', 'hr', 'br',
]);

interface Cell {
  start: number;
  end: number;
  header: boolean;
}

/** HTML: text between tags grouped by block elements (headings, paragraphs, list items, table rows); every tag is blanked. */
export function parseHtml(text: string): ParsedDocument {
  const mask = new Mask(text);
  const blocks: (Block | Barrier)[] = [];
  const stack: string[] = [];
  let run: { start: number; end: number } | undefined;
  let row: Cell[] = [];
  let columns: string[] | undefined;

  const innermost = () => [...stack].reverse().find((tag) => tag !== 'br' && tag !== 'hr') ?? 'p';
  const flush = () => {
    if (!run) return;
    const tag = innermost();
    if (tag === 'td' || tag === 'th') {
      row.push({ ...run, header: tag === 'th' });
    } else if (/^h[1-6]$/.test(tag)) {
      blocks.push({ kind: 'heading', level: Number(tag[1]), ...run });
    } else {
      blocks.push({ kind: tag === 'li' || tag === 'dd' || tag === 'dt' ? 'list-item' : 'paragraph', ...run });
    }
    run = undefined;
  };
  const endRow = () => {
    flush();
    if (row.length === 0) return;
    const cells = row.map(({ start, end }) => ({ start, end }));
    const isHeader = row.every((cell) => cell.header) && columns === undefined;
    blocks.push({ kind: 'table-row', start: cells[0]!.start, end: cells.at(-1)!.end, cells, ...(isHeader ? {} : { columns }) });
    if (isHeader) columns = cells.map((cell) => collapse(mask.toString().slice(cell.start, cell.end)));
    row = [];
  };
  const addText = (start: number, end: number) => {
    const slice = text.slice(start, end);
    const first = slice.search(/\S/);
    if (first < 0) return;
    const last = slice.trimEnd().length;
    run = { start: run?.start ?? start + first, end: start + last };
  };

  let position = 0;
  const token = new RegExp(TOKEN.source, 'g');
  for (let match = token.exec(text); match; match = token.exec(text)) {
    addText(position, match.index);
    const tokenEnd = match.index + match[0].length;
    mask.blank(match.index, tokenEnd);
    position = tokenEnd;
    const name = match[2]?.toLowerCase();
    if (!name) continue;
    const closing = match[1] === '/';
    if (!closing && SKIPPED.has(name)) {
      flush();
      if (name === 'pre' && blocks.at(-1)?.kind !== 'barrier') blocks.push({ kind: 'barrier' });
      const close = new RegExp(`</${name}\\s*>`, 'ig');
      close.lastIndex = tokenEnd;
      const found = close.exec(text);
      const skipEnd = found ? found.index + found[0].length : text.length;
      mask.blank(tokenEnd, skipEnd);
      position = skipEnd;
      token.lastIndex = skipEnd;
      continue;
    }
    if (!BLOCK.has(name)) continue;
    if (name === 'tr' || name === 'table') {
      endRow();
      if (name === 'table') columns = undefined;
    } else {
      flush();
    }
    if (name === 'br' || name === 'hr' || match[3]?.trimEnd().endsWith('/')) continue;
    if (closing) {
      const at = stack.lastIndexOf(name);
      if (at >= 0) stack.length = at;
    } else {
      stack.push(name);
    }
  }
  addText(position, text.length);
  endRow();
  flush();
  blankEntities(mask, text, 0, text.length);
  return { format: 'html', plain: mask.toString(), blocks };
}

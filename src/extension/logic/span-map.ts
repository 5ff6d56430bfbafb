/**
 * Moves character spans through document edits (the offsets of VS Code's TextDocumentChangeEvent
 * contentChanges). A span is "touched" when an edit changes any character inside it: such a span is
 * never silently moved onto other text; the caller marks it stale.
 */

export interface Span {
  start: number;
  end: number;
}

/** One replacement, in offsets of the text before it is applied. */
export interface TextChange {
  offset: number;
  deletedLength: number;
  insertedText: string;
}

export interface MappedSpan {
  span: Span;
  touched: boolean;
}

export function mapSpan(span: Span, change: TextChange): MappedSpan {
  const changeEnd = change.offset + change.deletedLength;
  const delta = change.insertedText.length - change.deletedLength;
  // Typing right before or right after a span leaves the span's own text as it was.
  if (changeEnd <= span.start) {
    return { span: { start: span.start + delta, end: span.end + delta }, touched: false };
  }
  if (change.offset >= span.end) {
    return { span, touched: false };
  }
  // The edit overlaps the span: the span now covers what is left of it plus the inserted text.
  const start = Math.min(span.start, change.offset);
  const end = span.end > changeEnd ? span.end + delta : change.offset + change.insertedText.length;
  return { span: { start, end }, touched: true };
}

/** Applies changes in the order VS Code reports them (each in offsets of the text before it). */
export function mapSpanThrough(span: Span, changes: readonly TextChange[]): MappedSpan {
  let current = span;
  let touched = false;
  for (const change of changes) {
    const mapped = mapSpan(current, change);
    current = mapped.span;
    touched ||= mapped.touched;
  }
  return { span: current, touched };
}

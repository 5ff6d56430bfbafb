/** SQuAD v1.1 / v2.0 JSON, as read and written by the official tools. Extra fields are preserved. */
export interface SquadAnswer {
  text: string;
  answer_start: number;
  [extra: string]: unknown;
}

export interface SquadQuestion {
  id: string;
  question: string;
  answers: SquadAnswer[];
  /** SQuAD v2.0: true when the passage does not answer the question (then `answers` is empty). */
  is_impossible?: boolean;
  /** SQuAD v2.0 training files keep the answers of impossible questions here. */
  plausible_answers?: SquadAnswer[];
  [extra: string]: unknown;
}

export interface SquadParagraph {
  context: string;
  qas: SquadQuestion[];
  [extra: string]: unknown;
}

export interface SquadArticle {
  title?: string;
  paragraphs: SquadParagraph[];
  [extra: string]: unknown;
}

export interface SquadDataset {
  version?: string;
  data: SquadArticle[];
  [extra: string]: unknown;
}

/** One question with its context, flattened out of the nested file (what the pipeline works on). */
export interface QaExample {
  id: string;
  question: string;
  context: string;
  /** Gold answers (empty for an impossible question). */
  answers: { text: string; start: number }[];
  isImpossible: boolean;
  title?: string;
}

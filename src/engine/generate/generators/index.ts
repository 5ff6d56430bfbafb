import type { GeneratorName } from '../types';
import { clozeGenerator } from './cloze';
import { codeDocGenerator } from './codedoc';
import type { Generator } from './context';
import { definitionGenerator } from './definition';
import { entityGenerator } from './entity';
import { headingGenerator } from './heading';
import { keyValueGenerator } from './keyvalue';
import { phraseGenerator } from './phrase';
import { tableGenerator } from './table';

export const generators: Record<GeneratorName, Generator> = {
  definition: definitionGenerator,
  heading: headingGenerator,
  keyvalue: keyValueGenerator,
  table: tableGenerator,
  entity: entityGenerator,
  phrase: phraseGenerator,
  codedoc: codeDocGenerator,
  cloze: clozeGenerator,
};

/** The examples a training run uses: the training file, and a validation file or a held-out split. */
import { UserError } from '../errors';
import { describeCheckReport, flattenExamples, readSquadFile, readSquadFileCollecting } from '../squad/dataset';
import type { QaExample, SquadDataset } from '../squad/types';
import type { TrainSettings } from '../process/protocol';
import { Rng, deriveSeed } from './rng';
import { splitByContext } from './split';

export interface TrainingData {
  train: QaExample[];
  validation: QaExample[];
  /** Things the user should know: skipped questions, excluded unreviewed pairs. */
  notes: string[];
}

/**
 * Generated pairs nobody reviewed are left out unless asked for; pairs a person assigned to the
 * validation split (`split: "validation"`) go there.
 */
function selectQuestions(dataset: SquadDataset, includeUnreviewed: boolean): { kept: SquadDataset; excluded: number; validation: Set<string> } {
  let excluded = 0;
  const validation = new Set<string>();
  const data = dataset.data.map((article) => ({
    ...article,
    paragraphs: article.paragraphs.map((paragraph) => ({
      ...paragraph,
      qas: paragraph.qas.filter((qa) => {
        const unreviewed = qa.origin === 'generated' && qa.reviewed !== true;
        if (qa.rejected === true || (unreviewed && !includeUnreviewed)) {
          excluded++;
          return false;
        }
        if (qa.split === 'validation') validation.add(qa.id);
        return true;
      }),
    })),
  }));
  return { kept: { ...dataset, data }, excluded, validation };
}

export async function loadTrainingData(settings: TrainSettings): Promise<TrainingData> {
  const notes: string[] = [];
  const report = await readSquadFileCollecting(settings.trainFile, { purpose: 'train' });
  if (report.problems.length > 0) notes.push(describeCheckReport(report, settings.trainFile, 5));
  const { kept, excluded, validation: assigned } = selectQuestions(report.dataset, settings.includeUnreviewed ?? false);
  if (excluded > 0) notes.push(`${excluded} generated question(s) not yet reviewed (or rejected) are left out of training`);
  const all = flattenExamples(kept);
  if (all.length === 0) {
    const reasons = [
      ...(excluded > 0 ? [`${excluded} generated question(s) not yet reviewed (or rejected) are left out: review them first`] : []),
      ...(report.problems.length > 0 ? [`${report.problems.length} problem(s): ${report.problems[0]!.where}: ${report.problems[0]!.message}`] : []),
    ];
    throw new UserError(`${settings.trainFile} has no usable training example${reasons.length ? ` (${reasons.join('; ')})` : ''}`);
  }

  if (settings.validationFile) {
    const validation = flattenExamples(await readSquadFile(settings.validationFile, { purpose: 'evaluate' }));
    if (validation.length === 0) throw new UserError(`${settings.validationFile} has no questions to validate on`);
    return { train: all, validation, notes };
  }
  if (assigned.size > 0) {
    return { train: all.filter((e) => !assigned.has(e.id)), validation: all.filter((e) => assigned.has(e.id)), notes };
  }
  const fraction = settings.validationSplit ?? 0.1;
  const { train, validation } = splitByContext(all, fraction, new Rng(deriveSeed(settings.seed, 0x5b1)));
  notes.push(`held out ${validation.length} of ${all.length} questions (${(fraction * 100).toFixed(0)}% of contexts) for validation`);
  return { train, validation, notes };
}

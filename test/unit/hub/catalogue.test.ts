import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { validateRepoId } from '../../../src/engine/hub/cache-layout';
import { MODEL_CATALOGUE, describeCatalogueEntry } from '../../../src/engine/hub/catalogue';

describe('MODEL_CATALOGUE', () => {
  it('lists QA-tuned checkpoints first, each group from small to large', () => {
    const firstPlain = MODEL_CATALOGUE.findIndex((entry) => !entry.qaTuned);
    assert.ok(firstPlain > 0);
    assert.ok(MODEL_CATALOGUE.slice(firstPlain).every((entry) => !entry.qaTuned), 'no QA-tuned entry after a plain one');
    for (const group of [MODEL_CATALOGUE.slice(0, firstPlain), MODEL_CATALOGUE.slice(firstPlain)]) {
      const sizes = group.map((entry) => entry.approxSizeMB);
      assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b));
    }
  });

  it('has valid, unique Hub ids and sizes that match the parameter counts', () => {
    const ids = MODEL_CATALOGUE.map((entry) => entry.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const entry of MODEL_CATALOGUE) {
      validateRepoId(entry.id);
      assert.ok(entry.id.includes('/'), `${entry.id} should carry its organisation`);
      assert.ok(Math.abs(entry.approxSizeMB - entry.parametersMillions * 4) / entry.approxSizeMB < 0.05, `${entry.id} size vs parameters`);
    }
  });

  it('gives scores only with a source, in range, and only for QA-tuned models', () => {
    for (const entry of MODEL_CATALOGUE) {
      if (!entry.scores) continue;
      assert.ok(entry.qaTuned, entry.id);
      assert.match(entry.scores.source, /^https:\/\/huggingface\.co\//);
      assert.ok(entry.scores.exactMatch !== undefined || entry.scores.f1 !== undefined);
      for (const value of [entry.scores.exactMatch, entry.scores.f1]) if (value !== undefined) assert.ok(value > 0 && value <= 100);
      assert.equal(entry.scores.dataset === 'SQuAD v2.0', entry.squadV2, `${entry.id}: dataset and squadV2 flag disagree`);
    }
  });

  it('describes an entry in one line with size, architecture and scores', () => {
    const tiny = MODEL_CATALOGUE[0]!;
    assert.equal(describeCatalogueEntry(tiny), '17.6 MB · BERT 2 layers × 128 · QA-tuned (SQuAD 2.0) · EM 48.6 / F1 49.73 on SQuAD v2.0 dev · fast on CPU');
    const distil = MODEL_CATALOGUE.find((entry) => entry.id.startsWith('distilbert/distilbert-base-cased'))!;
    assert.match(describeCatalogueEntry(distil), /DistilBERT .* F1 87\.1 on SQuAD v1\.1 dev/);
  });
});

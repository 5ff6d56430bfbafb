/**
 * The training engine process runs below the priority of the process that starts it, also when that
 * process is itself niced (an absolute "below normal" would then be no lower than the editor).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const client = path.resolve(__dirname, '../../../src/engine/process/client.ts');

/** priorityBelowThisProcess() as a node started with `nice -n <niceness>` computes it. */
function belowUnderNice(niceness: number): { own: number; below: number } {
  const script = `const os = require('node:os'); const { priorityBelowThisProcess } = require(${JSON.stringify(client)}); console.log(JSON.stringify({ own: os.getPriority(), below: priorityBelowThisProcess() }));`;
  const out = execFileSync('nice', ['-n', String(niceness), process.execPath, '--import', 'tsx', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

test('the training engine is ten steps below its caller, and never past the lowest priority (19)', () => {
  const own = belowUnderNice(0).own;
  for (const niceness of [0, 5, 12]) {
    const result = belowUnderNice(niceness);
    const expected = Math.min(19, own + niceness);
    assert.equal(result.own, expected, `nice -n ${niceness} ran at ${result.own}`);
    assert.equal(result.below, Math.min(19, result.own + 10), `under nice ${result.own}`);
    assert.ok(result.below > result.own || result.own === 19, `below (${result.below}) is lower than the caller (${result.own})`);
  }
});

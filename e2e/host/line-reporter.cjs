// A mocha reporter for the suites in the extension host: one preformatted line per event, prefixed,
// because the workbench forwards each console call as a separate log message.
const Mocha = require(require.resolve('mocha', { paths: [require.resolve('@vscode/test-cli')] }));
const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_SUITE_BEGIN, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class LineReporter extends Mocha.reporters.Base {
  constructor(runner, options) {
    super(runner, options);
    const say = (line) => console.log(`[spantune-test] ${line}`);
    runner.on(EVENT_SUITE_BEGIN, (suite) => suite.title && say(`suite: ${suite.fullTitle()}`));
    runner.on(EVENT_TEST_PASS, (test) => say(`  ✔ ${test.title} (${test.duration} ms)`));
    runner.on(EVENT_TEST_PENDING, (test) => say(`  - skipped: ${test.title}`));
    runner.on(EVENT_TEST_FAIL, (test, error) => say(`  ✖ ${test.title}\n${(error && error.stack) || error}`));
    runner.once(EVENT_RUN_END, () => say(`result: ${this.stats.passes} passing, ${this.stats.failures} failing, ${this.stats.pending} skipped (${this.stats.duration} ms)`));
  }
}
module.exports = LineReporter;

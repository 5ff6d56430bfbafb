import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generators } from '../../../src/engine/generate/generators';
import { isCompleteQuestion } from '../../../src/engine/generate/question';
import { run } from './helpers';

const guide = `# SpanTune Guide

SpanTune is a tool for fine-tuning extractive question answering models. It was released in March 2024 by the Example Lab in Berlin. The lab hired 40 engineers in 2023. Alice Smith founded the lab.

A tokenizer refers to the component that splits text into word pieces.

## Gradient Accumulation

Gradient accumulation sums the gradients of several micro-batches before one optimizer step.

## How do I cancel a run?

Press Ctrl+C in the terminal to cancel a running job.

## Installing the extension

Open the Extensions view and search for SpanTune.

## Introduction

Introduction text that names no concept at all here.

## Options

| Option | Default | Meaning |
|---|---|---|
| --epochs | 2 | number of passes over the data |
| 3 | x | rows keyed by a bare number are skipped |

- Version: 0.1.0
- License: MIT
- Note: this line is a remark, not a property of anything.
`;

test('definition: "X is a Y", "X refers to Y" and glossary items', () => {
  const pairs = run(generators.definition, 'guide.md', guide);
  assert.equal(pairs.get('What is SpanTune?'), 'a tool for fine-tuning extractive question answering models');
  assert.equal(pairs.get('What does a tokenizer refer to?'), 'the component that splits text into word pieces');
  const credits = run(generators.definition, 'credits.md', '# Credits\n\n- Amazon skill — by Tajddin Maghni of the skills team\n- @property {boolean} isFile: whether the entry is a file\n');
  assert.equal(credits.size, 0, [...credits.keys()].join('; '));
  const none = run(generators.definition, 'a.txt', 'It is a tool that nobody uses much these days.\n\nThe sky is blue today over the whole country.\n');
  assert.equal(none.size, 0, [...none.keys()].join('; '));
});

test('heading: question headings, gerund headings and concept headings; generic headings are skipped', () => {
  const pairs = run(generators.heading, 'guide.md', guide);
  assert.equal(pairs.get('How do I cancel a run?'), 'Press Ctrl+C in the terminal to cancel a running job');
  assert.equal(pairs.get('How do you install the extension?'), 'Open the Extensions view and search for SpanTune');
  assert.equal(pairs.get('What is gradient accumulation?'), 'Gradient accumulation sums the gradients of several micro-batches before one optimizer step');
  assert.ok(![...pairs.keys()].some((question) => /introduction/i.test(question)));
});

test('keyvalue: "Key: value" lines name the document in the question; remarks are not properties', () => {
  const pairs = run(generators.keyvalue, 'guide.md', guide);
  assert.equal(pairs.get('What is the version of SpanTune Guide?'), '0.1.0');
  assert.equal(pairs.get('What is the license of SpanTune Guide?'), 'MIT');
  assert.ok(![...pairs.keys()].some((question) => /note/i.test(question)));
  const people = run(generators.keyvalue, 'paper.txt', 'Authors: Ada Lovelace; Charles Babbage\nDate: 2018-02-02\n');
  assert.equal(people.get('Who are the authors?'), 'Ada Lovelace; Charles Babbage');
  assert.equal(people.get('What is the date?'), '2018-02-02');
});

test('table: one question per cell, keyed by the first cell and named by the column', () => {
  const pairs = run(generators.table, 'guide.md', guide);
  assert.deepEqual(Object.fromEntries(pairs), { 'What is the default of --epochs?': '2', 'What is the meaning of --epochs?': 'number of passes over the data' });
  const html = '<table><tr><th>City</th><th>Country</th></tr><tr><td>Lyon</td><td><b>France</b> (EU)</td></tr><tr><td>Oslo</td><td>Norway</td></tr></table>';
  const fromHtml = run(generators.table, 'cities.html', html);
  assert.equal(fromHtml.get('What is the country of Oslo?'), 'Norway');
  assert.ok(!fromHtml.has('What is the country of Lyon?'), 'a cell with markup inside is not an exact answer');
});

test('entity: wh-questions by answer type, from the clause with the answer taken out', () => {
  const pairs = run(generators.entity, 'guide.md', guide);
  // "It" stands for the subject of the sentence before.
  assert.equal(pairs.get('When was SpanTune released by the Example Lab in Berlin?'), 'March 2024');
  assert.equal(pairs.get('How many engineers did the lab hire in 2023?'), '40');
  assert.equal(pairs.get('When did the lab hire 40 engineers?'), '2023');
  assert.equal(pairs.get('Who founded the lab?'), 'Alice Smith');
  const history = run(generators.entity, 'h.txt', 'In 1066, the Normans invaded England. The company paid $3.5 million for the land. Rollo ruled Normandy for 20 years.\n');
  assert.equal(history.get('When did the Normans invade England?'), '1066');
  assert.equal(history.get('How much did the company pay for the land?'), '$3.5 million');
  assert.equal(history.get('How long did Rollo rule Normandy?'), '20 years');
  for (const question of [...pairs.keys(), ...history.keys()]) assert.ok(isCompleteQuestion(question), question);
});

test('phrase: questions whose answers are plain noun phrases (subjects, objects, phrases after a preposition)', () => {
  const pairs = run(generators.phrase, 'p.txt', 'The railway engineers replaced the old gearbox in the spring. Luther published a short commentary on Galatians in 1519. Students thronged to the city of Wittenberg.\n');
  assert.equal(pairs.get('Who replaced the old gearbox in the spring?'), 'railway engineers');
  assert.equal(pairs.get('What did the railway engineers replace in the spring?'), 'old gearbox');
  assert.equal(pairs.get('What did Luther publish on Galatians in 1519?'), 'short commentary');
  assert.equal(pairs.get('Who thronged to the city of Wittenberg?'), 'Students');
  // A number after its noun is asked for with the noun ("at what age").
  assert.equal(run(generators.phrase, 'p.txt', 'Elway won the title at age 38.\n').get('At what age did Elway win the title?'), '38');
  for (const question of pairs.keys()) assert.ok(isCompleteQuestion(question), question);
});

test('codedoc: JSDoc, Python Google style, reST fields, Rust sections and C# XML docs', () => {
  const ts = `/**
 * Clamps a value into a range.
 * @param {number} value - the number to clamp
 * @param {number} [low=0] - the lower bound
 * @returns {number} the clamped value
 * @throws {RangeError} if low is greater than high
 */
export function clamp(value: number, low = 0, high = 1): number { return value; }
`;
  assert.deepEqual(Object.fromEntries(run(generators.codedoc, 'math.ts', ts)), {
    'What type is the value parameter of clamp?': 'number',
    'What is the value parameter of clamp?': 'the number to clamp',
    'What type is the low parameter of clamp?': 'number',
    'What is the default value of the low parameter of clamp?': '0',
    'What is the low parameter of clamp?': 'the lower bound',
    'What type does clamp return?': 'number',
    'What does clamp return?': 'the clamped value',
    'When does clamp throw RangeError?': 'if low is greater than high',
  });
  const optional = run(generators.codedoc, 'opt.js', '/**\n * Greets someone by name.\n * @param {string=} name - who to greet\n */\nfunction greet(name) {}\n');
  assert.equal(optional.get('What type is the name parameter of greet?'), 'string');
  const py = `def scale(values, factor=2.0):
    """Scale every value by a factor.

    Args:
        values (list): The numbers to scale.
        factor (float): The multiplier. Defaults to 2.0.

    Returns:
        A new list with the scaled numbers.

    Raises:
        ValueError: If factor is negative.
    """
    return values


def load(path):
    """Loads a file.

    :param path: where the file is
    :returns: the file's text
    :raises OSError: when the file cannot be read
    """
`;
  const pyPairs = run(generators.codedoc, 'util.py', py);
  assert.equal(pyPairs.get('What is the factor parameter of scale?'), 'The multiplier');
  assert.equal(pyPairs.get('What is the default value of the factor parameter of scale?'), '2.0');
  assert.equal(pyPairs.get('What type is the values parameter of scale?'), 'list');
  assert.equal(pyPairs.get('What does scale return?'), 'A new list with the scaled numbers');
  assert.equal(pyPairs.get('When does scale raise ValueError?'), 'If factor is negative');
  assert.equal(pyPairs.get('What is the path parameter of load?'), 'where the file is');
  assert.equal(pyPairs.get('What does load return?'), "the file's text");
  assert.equal(pyPairs.get('When does load raise OSError?'), 'when the file cannot be read');

  const rust = `/// Opens the store at a path.
///
/// # Arguments
///
/// * \`path\` - the folder that holds the store
///
/// # Panics
///
/// Panics when the folder is not writable.
pub fn open(path: &str) -> Store { todo!() }
`;
  const rustPairs = run(generators.codedoc, 'store.rs', rust);
  assert.equal(rustPairs.get('What is the path parameter of open?'), 'the folder that holds the store');
  assert.equal(rustPairs.get('When does open panic?'), 'Panics when the folder is not writable');

  const cs = `/// <summary>Sends a message.</summary>
/// <param name="text">the message body</param>
/// <returns>the id of the message</returns>
/// <exception cref="IOException">when the network is down</exception>
public int Send(string text) { return 0; }
`;
  assert.deepEqual(Object.fromEntries(run(generators.codedoc, 'Mail.cs', cs)), {
    'What is the text parameter of Send?': 'the message body',
    'When does Send throw IOException?': 'when the network is down',
    'What does Send return?': 'the id of the message',
  });
});

test('cloze: the sentence with the answer blanked, explicitly not a question', () => {
  const pairs = run(generators.cloze, 'guide.md', guide);
  assert.equal(pairs.get('_____ founded the lab'), 'Alice Smith');
  assert.equal(pairs.get('The lab hired 40 engineers in _____'), '2023');
  for (const question of pairs.keys()) assert.ok(question.includes('_____'));
});

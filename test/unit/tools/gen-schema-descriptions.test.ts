import { describe, expect, it } from 'vitest';
import type { MarkupContext } from '../../../tools/gen-schema/descriptions.js';
import { describe as describeText, firstSentence, MAX_SENTENCE_CHARS, renderMarkup } from '../../../tools/gen-schema/descriptions.js';

describe('TR-181 description markup rendered to plain text', () => {
  it('names parameters, objects, commands, events and enumeration values by their text', () => {
    expect(renderMarkup('Set {{param|Enable}} to {{true}} to start {{command|#.Start()}}.')).toBe('Set Enable to true to start Start().');
    expect(renderMarkup('See {{object|##.Controller.{i}.}} and {{event|Boot!}}, value {{enum|Error_Other|Status}}.')).toBe('See Controller.{i}\u0001 and Boot!, value Error_Other.');
    expect(describeText('See {{object|##.Controller.{i}.}} now.')).toBe('See Controller.{i}. now.');
  });

  it('fills the self-referring templates from the item (name, units, dataType, list, counted table)', () => {
    const ctx: MarkupContext = { name: 'Timeout', objectPath: 'Device.X.', syntax: { type: 'unsignedInt', units: 'seconds', dataType: 'Seconds' }, countedTable: 'Device.X.Y.{i}.' };
    expect(renderMarkup('{{param}} in {{units}} ({{datatype|expand}}); {{object}}', ctx)).toBe('Timeout in seconds (Seconds); Device.X\u0001');
    expect(describeText('{{list}} List items are languages. More.', ctx)).toBe('List items are languages.');
    expect(describeText('{{list|each representing a MAC Address}} Second.', ctx)).toBe('Comma-separated list, each representing a MAC Address.');
    expect(describeText('{{numentries}}', ctx)).toBe('The number of entries in the Device.X.Y.{i}. table.');
  });

  it('renders empty, null, false, bibref and references; drops history and generated notes', () => {
    expect(renderMarkup('{{empty}} or {{null}} or {{false}} per {{bibref|RFC3986|Section 3}}. {{list}} {{reference|an IP interface}} See')).toBe(
      'an empty string or null or false per [RFC3986].  Path name of an IP interface. See',
    );
    expect(describeText('{{deprecated|2.11|because it is not used}}\n\nThe real meaning. More.')).toBe('The real meaning.');
    expect(renderMarkup("'''Bold''' and ''italic''\n# first item\n* second")).toBe('Bold and italic\nfirst item\nsecond');
  });
});

describe('first sentence', () => {
  it('ends at the first full stop, not at an abbreviation or a path', () => {
    expect(firstSentence('  Identifier of the\n  device, e.g. a serial. More text.')).toBe('Identifier of the device, e.g. a serial.');
    expect(describeText('When this {{object}} fires. Second.', { objectPath: 'Device.LocalAgent.Subscription.{i}.' })).toBe('When this Device.LocalAgent.Subscription.{i}. fires.');
    expect(describeText('Reboot the containing {{object}}.', { objectPath: 'Device.' })).toBe('Reboot the containing Device.');
    expect(firstSentence('No full stop at all')).toBe('No full stop at all');
  });

  it('cuts a very long sentence at a word', () => {
    const s = firstSentence(`${'word '.repeat(200)}end.`);
    expect(s.length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS + 1);
    expect(s.endsWith('word…')).toBe(true);
  });

  it('has nothing to say for a missing or empty description', () => {
    expect(describeText(undefined)).toBeUndefined();
    expect(describeText('{{deprecated|2.12|gone}}')).toBeUndefined();
  });
});

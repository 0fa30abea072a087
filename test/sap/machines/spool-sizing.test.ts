import { adviseSpoolWorkProcesses, SizingQuestionError } from '../../../machines/sap/spool-sizing';
import { parseRelease, UnknownReleaseError } from '../../../machines/sap/spool-releases';

const advise = (release: string, frontendPrinting = false, froMax?: number) => adviseSpoolWorkProcesses({ release, frontendPrinting, ...(froMax !== undefined ? { froMax } : {}) });

describe('the sizing advisor', () => {
  test("gives the source's own results: 4 for 4.0B, 5 for 4.6A with frontend printing", () => {
    expect(advise('4.0B').workProcesses).toBe(4);
    expect(advise('4.6A', true).workProcesses).toBe(5);
  });

  test('follows the same rule for the other release steps', () => {
    expect(advise('3.1I').workProcesses).toBe(3); // 1 global + host spool demand + 1 output
    expect(advise('4.0A').workProcesses).toBe(3); // reassigning is global: still one global work process
    expect(advise('4.5B').workProcesses).toBe(4);
    expect(advise('4.6C').workProcesses).toBe(4); // no frontend printing: as 4.0B
    expect(advise('7.50', true).workProcesses).toBe(5);
  });

  test('each further frontend work process allowed by rdisp/wp_no_spo_Fro_max raises the number by one', () => {
    for (const froMax of [1, 2, 3, 7]) expect(advise('6.20', true, froMax).workProcesses).toBe(4 + froMax);
  });

  test('frontend printing before 4.6A takes no spool work process, and says why', () => {
    const advice = advise('4.0B', true);
    expect(advice.workProcesses).toBe(4);
    expect(advice.reasoning.join('\n')).toMatch(/dialog work processes/);
  });

  test('reasons line by line, each class with its count, ending with the number', () => {
    const advice = advise('4.6A', true);
    expect(advice.reasoning).toEqual([
      'Release 4.6A has the spool tasks of release 4.6A and later.',
      expect.stringMatching(/^Global management \(scanning .*lost.*; reassigning .*; deleting obsolete .*\): at most 1 work process in the whole system .*: 1\.$/),
      expect.stringMatching(/^Local management, .*host spool.*: 1; .*link check.*: 1\): 2\.$/),
      'Frontend output requests, processed by the spool service as of 4.6A: at most rdisp/wp_no_spo_Fro_max = 1 work process: 1.',
      'At maximum load these take 4 work processes at once; at least 1 must be left for the usual output requests.',
      'So 5 spool work processes on the server: one more than the 4 that management and frontend output may take.',
      expect.stringMatching(/^Fewer still print/),
    ]);
    expect(advice.atMost).toEqual({ globalManagement: 1, localManagement: 2, frontendOutput: 1 });
  });

  test('refuses --fro-max without frontend printing and a value that is not a whole number from 1', () => {
    expect(() => advise('4.6A', false, 2)).toThrow(SizingQuestionError);
    expect(() => advise('4.6A', true, 0)).toThrow(/whole number from 1 to 100, not 0/);
    expect(() => advise('4.6A', true, 1.5)).toThrow(/not 1\.5/);
  });
});

describe('release names', () => {
  test.each([
    ['2.2G', 'before-4.0A'],
    ['3.1i', 'before-4.0A'],
    ['4.0A', '4.0A'],
    ['4.0B', '4.0B'],
    ['4.5A', '4.0B'],
    ['4.6A', '4.6A-and-later'],
    ['4.6D', '4.6A-and-later'],
    ['6.10', '4.6A-and-later'],
    [' 7.50 ', '4.6A-and-later'],
  ])('%s is in the step %s', (name, step) => {
    expect(parseRelease(name).step).toBe(step);
  });

  test.each([
    ['4.0', /ambiguous without its letter/],
    ['7.5', /two digits after the dot \(7\.50\)/],
    ['1.0A', /begin at 2\.0A/],
    ['ECC6', /not a release name/],
    ['', /not a release name/],
  ])('"%s" is refused, saying why', (name, why) => {
    expect(() => parseRelease(name)).toThrow(UnknownReleaseError);
    expect(() => parseRelease(name)).toThrow(why);
  });
});

import { supervisorsWanted, SupervisorsSettingError } from '../../../simulator/jobscheduler/sim-supervisors';

test('SPOOLFLOW_SUPERVISORS: unset, empty or on starts the supervisors, off does not', () => {
  expect(supervisorsWanted({})).toBe(true);
  expect(supervisorsWanted({ SPOOLFLOW_SUPERVISORS: '' })).toBe(true);
  expect(supervisorsWanted({ SPOOLFLOW_SUPERVISORS: 'on' })).toBe(true);
  expect(supervisorsWanted({ SPOOLFLOW_SUPERVISORS: ' OFF ' })).toBe(false);
});

test('SPOOLFLOW_SUPERVISORS: any other value is refused naming the variable and the rule', () => {
  expect(() => supervisorsWanted({ SPOOLFLOW_SUPERVISORS: 'no' })).toThrow(SupervisorsSettingError);
  expect(() => supervisorsWanted({ SPOOLFLOW_SUPERVISORS: 'no' })).toThrow('SPOOLFLOW_SUPERVISORS must be "on" or "off", not "no"');
});

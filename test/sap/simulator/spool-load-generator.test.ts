import { tasksFor } from '../../../simulator/sap/spool-load-generator';
import { DEFAULT_SAP_SYSTEMS, dispatcherInputs, SimSapSystem } from '../../../simulator/sap/sim-sap-estate';
import { parseSpoolDispatcherInput } from '../../../machines/sap/spool-dispatcher-input';
import { spoolTaskSchema } from '../../../machines/sap/spool-tasks';

const system = (release: string): SimSapSystem => ({ ...DEFAULT_SAP_SYSTEMS[0]!, release });
let n = 0;
const id = (what: string) => `${what}-${(n += 1)}`;

describe('the simulated SAP load', () => {
  test('gives only the tasks the release has, each a valid task', () => {
    expect(tasksFor(system('3.1I'), 'link-check', id)).toEqual([]); // the link check came with 4.0B
    expect(tasksFor(system('4.0B'), 'link-check', id).map((t) => t.server)).toEqual(['spool1', 'spool2']);
    for (let i = 0; i < 50; i += 1) {
      const [globalTask] = tasksFor(system('4.0B'), 'global', id);
      expect(globalTask!.task).toMatchObject({ kind: 'management', task: 'scan-lost-requests' }); // no deletion before 4.6A, reassigning only at shutdown
      for (const { task } of [...tasksFor(system('4.0B'), 'output', id, 1), ...tasksFor(system('4.6C'), 'output', id, 0.5)]) expect(spoolTaskSchema.parse(task)).toEqual(task);
      expect(tasksFor(system('4.0B'), 'output', id, 1)[0]!.task).toMatchObject({ frontend: false }); // frontend printing is not the spool's before 4.6A
    }
  });

  test("the default estate's dispatcher inputs are valid, sized as the advisor says", () => {
    const inputs = dispatcherInputs(DEFAULT_SAP_SYSTEMS).map((d) => parseSpoolDispatcherInput(d.input));
    expect(inputs.map((i) => [i.server, i.workProcesses])).toEqual([
      ['spool1', 5],
      ['spool2', 4],
    ]);
  });

  test('a dispatcher input names the field it breaks', () => {
    expect(() => parseSpoolDispatcherInput({ system: 'PRD', server: 'spool1', release: '4.0', workProcesses: 0 })).toThrow(
      /system: must be the SAP system id.*release: "4\.0": ambiguous without its letter.*workProcesses: at least 1/,
    );
  });
});

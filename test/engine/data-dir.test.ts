import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataDir, projectRoot } from '../../engine/data-dir';

const root = path.resolve(__dirname, '..', '..');

describe('projectRoot', () => {
  it('is the folder holding package.json above engine/', () => {
    expect(projectRoot()).toBe(root);
    expect(fs.existsSync(path.join(projectRoot(), 'package.json'))).toBe(true);
  });
});

describe('dataDir', () => {
  it('defaults to <project root>/.spoolflow', () => {
    expect(dataDir({})).toBe(path.join(root, '.spoolflow'));
  });

  it('treats a blank SPOOLFLOW_DATA_DIR as unset', () => {
    expect(dataDir({ SPOOLFLOW_DATA_DIR: '  ' })).toBe(path.join(root, '.spoolflow'));
  });

  it('uses an absolute SPOOLFLOW_DATA_DIR as is', () => {
    expect(dataDir({ SPOOLFLOW_DATA_DIR: '/var/lib/spoolflow' })).toBe('/var/lib/spoolflow');
  });

  it('resolves a relative SPOOLFLOW_DATA_DIR against the current directory', () => {
    expect(dataDir({ SPOOLFLOW_DATA_DIR: 'state' })).toBe(path.resolve(process.cwd(), 'state'));
    expect(path.isAbsolute(dataDir({ SPOOLFLOW_DATA_DIR: './x/../y' }))).toBe(true);
  });

  it('reads process.env by default', () => {
    const before = process.env.SPOOLFLOW_DATA_DIR;
    process.env.SPOOLFLOW_DATA_DIR = '/tmp/spoolflow-from-env';
    try {
      expect(dataDir()).toBe('/tmp/spoolflow-from-env');
    } finally {
      if (before === undefined) delete process.env.SPOOLFLOW_DATA_DIR;
      else process.env.SPOOLFLOW_DATA_DIR = before;
    }
  });
});

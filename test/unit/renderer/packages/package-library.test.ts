// How the package library names a package in its messages and its details title.
import { describe, expect, it } from 'vitest';
import { packageTitle } from '../../../../renderer/features/packages/PackageLibraryPage.js';

describe('package title', () => {
  it('does not repeat the version a software package is named after by default', () => {
    expect(packageTitle({ name: 'NBIoTDevice V1.1', version: 'V1.1' })).toBe('NBIoTDevice V1.1');
  });

  it('adds the version to a name that does not end with it', () => {
    expect(packageTitle({ name: 'tracker_fw_v2.bin', version: 'V2.0' })).toBe('tracker_fw_v2.bin V2.0');
    expect(packageTitle({ name: 'NBIoTDevice V1.10', version: 'V1.1' })).toBe('NBIoTDevice V1.10 V1.1');
  });
});

/** The UspError a refused platform call (a Set, Add or Delete on a binding) rejects with. */
import { expect } from 'vitest';
import { UspError } from '../../../datamodel/UspError.js';

export async function refusal(action: () => unknown): Promise<UspError> {
  try {
    await action();
  } catch (e) {
    expect(e).toBeInstanceOf(UspError);
    return e as UspError;
  }
  throw new Error('expected the call to be refused');
}

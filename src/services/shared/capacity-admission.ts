import type { ServerResponse } from 'node:http';
import type { Admission, CapacityGate } from './capacity';

/**
 * Admits one request to work through the gate and gives its place back when the response closes (sent, or the
 * connection dropped), so every admitted request releases exactly once. A caller that hangs up while waiting
 * leaves the line.
 */
export async function admitRequest(gate: CapacityGate, response: ServerResponse): Promise<Admission> {
  const { admission, abandon } = gate.admit();
  let admitted = false;
  let closed = false;
  response.once('close', () => {
    closed = true;
    if (admitted) gate.release();
    else abandon();
  });
  const result = await admission;
  if (result === 'admitted') {
    admitted = true;
    // The caller went away while it waited: its place is given back at once.
    if (closed) gate.release();
  }
  return result;
}

import type { LoadShape } from '../../load/shape';
import { breakpointDriver } from './breakpoint';
import { closedDriver } from './closed';
import type { LoadDriver } from './context';
import { openDriver } from './open';

/** The driver of the load model `shape` asks for (without one, the closed model's `count` flows). */
export function driverFor(shape: LoadShape | undefined): LoadDriver {
  if (shape?.model === 'open') return openDriver(shape);
  if (shape?.model === 'breakpoint') return breakpointDriver(shape);
  return closedDriver(shape);
}

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * A full garbage collection, when the runtime allows it. A full export streams some 60 MB of Odoo pages through the
 * process; V8 lets that garbage pile up in old space long before collecting it, which is what makes the peak RSS. The
 * export calls this every few pages while it waits for Odoo's next page anyway, so the pause costs no wall time.
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collect = exposed;
    else {
      try {
        setFlagsFromString('--expose-gc');
        collect = runInNewContext('gc') as () => void;
      } catch {
        collect = null;
      }
    }
  }
  collect?.();
}
